/**
 * Global setup of the consumer tests: the package as its users get it, then each app built as its
 * README section says.
 *
 * 1. `npm run build` and `npm pack`: one tarball for every app.
 * 2. consumers/: `npm install` (the committed lock: Vite, webpack, Next.js, esbuild, pnpm), then the
 *    tarball with `--no-save`; consumers/pnpm/: `pnpm install` (strict layout) of the same tarball.
 * 3. The model and the photo, with the package's own command (`npx resnet-web models`).
 * 4. The builds, in parallel: Vite, webpack, Next.js, esbuild (and two esbuild builds with a file
 *    left out, for the failure tests), Rollup, Parcel, pnpm's Vite, SvelteKit, Astro.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

export const consumers = import.meta.dirname;
const root = path.resolve(consumers, '..');
const images = path.resolve(process.env.TEST_IMAGES ?? path.join(root, 'test/data/images'));

/** Runs a command; rejects with its output when it fails. */
export function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed (${code}):\n${out}`))));
  });
}

async function timed<T>(what: string, work: Promise<T>): Promise<T> {
  const t0 = Date.now();
  const r = await work;
  console.log(`  ${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return r;
}

/** The esbuild command of the README, with files left out for the failure tests. */
async function esbuild(out: string, { worker = true, wasm = true } = {}): Promise<void> {
  const dir = path.join(consumers, 'esbuild');
  const entries = worker ? ['src/app.js', 'resnet-web/worker', '--entry-names=[name]'] : ['src/app.js'];
  await sh('npx', ['esbuild', ...entries, '--bundle', '--format=esm', '--splitting', `--outdir=${out}`, '--log-level=warning'], dir);
  if (wasm) copyWasm(path.join(dir, out));
}

/** The recipe's last step for bundlers that leave the .wasm files alone (esbuild, Rollup): copy them beside the bundle. */
function copyWasm(to: string): void {
  for (const f of ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.asyncify.wasm']) cpSync(path.join(consumers, 'node_modules/resnet-web/dist/ort', f), path.join(to, f));
}

/** Builds an app with its tool, from clean (its output and caches removed); each onnxruntime-web .wasm must be in its output once. */
async function buildOnce(app: string, out: string, command: string[], caches: string[]): Promise<void> {
  const folder = path.join(consumers, app);
  for (const f of [out, 'node_modules/.vite', ...caches]) rmSync(path.join(folder, f), { recursive: true, force: true });
  await sh('npx', command, folder, { ASTRO_TELEMETRY_DISABLED: '1' });
  const wasm = (readdirSync(path.join(folder, out), { recursive: true }) as string[]).filter((f) => f.endsWith('.wasm'));
  if (wasm.length !== 2) throw new Error(`${app}: expected the 2 onnxruntime-web .wasm files in ${out}/ once each, found ${wasm.length}: ${wasm.join(', ')}`);
}

export default async function setup(): Promise<void> {
  const t0 = Date.now();
  console.log('consumer apps: packing resnet-web and building the apps');
  const pack = path.join(consumers, '.pack');
  rmSync(pack, { recursive: true, force: true });
  mkdirSync(pack);
  await timed('npm run build', sh('npm', ['run', 'build'], root));
  await timed('npm pack', sh('npm', ['pack', '--pack-destination', pack], root));
  // One name whatever the version: consumers/pnpm/package.json names it.
  const tarball = path.join(pack, 'resnet-web.tgz');
  renameSync(path.join(pack, readdirSync(pack).find((f) => f.endsWith('.tgz'))!), tarball);

  await timed('npm install (consumers)', sh('npm', ['install', '--no-audit', '--no-fund'], consumers));
  await timed('npm install the tarball', sh('npm', ['install', '--no-save', '--no-audit', '--no-fund', tarball], consumers));
  const installed = JSON.parse(readFileSync(path.join(consumers, 'node_modules/resnet-web/package.json'), 'utf8'));
  if (installed.version !== JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version) throw new Error('the tarball did not install');

  // The model and the photo every app serves at /models/ and /photo.jpg.
  const assets = path.join(consumers, '.assets');
  rmSync(assets, { recursive: true, force: true });
  await timed('npx resnet-web models', sh('npx', ['resnet-web', 'models', '--dest', '.assets/models', '--only', 'mobilenetv2-int8', '--from', path.join(root, 'test/data/models'), '--no-download'], consumers));
  cpSync(path.join(images, 'classic/pytorch-hub-dog.jpg'), path.join(assets, 'photo.jpg'));
  for (const app of ['vite', 'next', 'pnpm', 'astro', 'sveltekit']) {
    const folder = path.join(consumers, app, app === 'sveltekit' ? 'static' : 'public');
    rmSync(folder, { recursive: true, force: true });
    cpSync(assets, folder, { recursive: true });
  }

  // The Manifest V3 extension: the package's dist/ copied in (what its guide says), the model,
  // the photo and the consumers' shared app code.
  const extension = path.join(consumers, 'extension');
  for (const f of ['resnet-web', 'models', 'photo.jpg', 'run.js']) rmSync(path.join(extension, f), { recursive: true, force: true });
  cpSync(path.join(consumers, 'node_modules/resnet-web/dist'), path.join(extension, 'resnet-web'), {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}esm`) && !src.endsWith('.map'),
  });
  cpSync(path.join(assets, 'models'), path.join(extension, 'models'), { recursive: true });
  cpSync(path.join(assets, 'photo.jpg'), path.join(extension, 'photo.jpg'));
  cpSync(path.join(consumers, 'shared/run.js'), path.join(extension, 'run.js'));

  // Runtime files of two onnxruntime-web versions in one folder (the .mjs of the one Transformers.js
  // brings, the .wasm of ours): for the failure test.
  const otherOrt = path.join(root, 'node_modules/@huggingface/transformers/node_modules/onnxruntime-web');
  const otherVersion = JSON.parse(readFileSync(path.join(otherOrt, 'package.json'), 'utf8')).version;
  if (otherVersion === '1.30.0' || !existsSync(otherOrt)) throw new Error(`need another onnxruntime-web version than ours beside Transformers.js, found ${otherVersion}`);
  const mixed = path.join(consumers, 'esbuild/mixed-ort');
  rmSync(mixed, { recursive: true, force: true });
  mkdirSync(mixed);
  cpSync(path.join(otherOrt, 'dist/ort-wasm-simd-threaded.mjs'), path.join(mixed, 'ort-wasm-simd-threaded.mjs'));
  cpSync(path.join(consumers, 'node_modules/resnet-web/dist/ort/ort-wasm-simd-threaded.wasm'), path.join(mixed, 'ort-wasm-simd-threaded.wasm'));

  const pnpmDir = path.join(consumers, 'pnpm');
  rmSync(path.join(pnpmDir, 'node_modules'), { recursive: true, force: true });
  rmSync(path.join(pnpmDir, 'pnpm-lock.yaml'), { force: true });
  rmSync(path.join(consumers, 'vite/node_modules/.vite'), { recursive: true, force: true });
  await Promise.all([
    timed('vite build', sh('npx', ['vite', 'build', '--logLevel', 'warn'], path.join(consumers, 'vite'))),
    timed('webpack', sh('npx', ['webpack', '--config', 'webpack.config.js'], path.join(consumers, 'webpack'))),
    timed('next build', sh('npx', ['next', 'build'], path.join(consumers, 'next'))),
    timed('esbuild (3 builds)', Promise.all([esbuild('dist'), esbuild('dist-noworker', { worker: false }), esbuild('dist-nowasm', { wasm: false })])),
    timed('parcel build', buildOnce('parcel', 'dist', ['parcel', 'build', 'index.html', '--dist-dir', 'dist', '--no-cache', '--log-level', 'warn'], [])),
    timed('rollup', (async () => {
      const rollupDir = path.join(consumers, 'rollup');
      rmSync(path.join(rollupDir, 'dist'), { recursive: true, force: true });
      await sh('npx', ['rollup', '-c', '--silent'], rollupDir);
      copyWasm(path.join(rollupDir, 'dist'));
    })()),
    timed('SvelteKit (vite build)', buildOnce('sveltekit', 'build', ['vite', 'build', '--logLevel', 'warn'], ['.svelte-kit'])),
    timed('Astro (astro build)', buildOnce('astro', 'dist', ['astro', 'build', '--silent'], ['node_modules/.astro'])),
    timed('pnpm install + vite build', (async () => {
      await sh(path.join(consumers, 'node_modules/.bin/pnpm'), ['install', '--config.confirmModulesPurge=false'], pnpmDir);
      await sh('npx', ['vite', 'build', '--logLevel', 'warn'], pnpmDir);
    })()),
  ]);
  console.log(`consumer apps ready in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
