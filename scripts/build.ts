/**
 * npm run build → dist/, what the npm package ships:
 *   esm/                 for bundlers and Node: src/ as ES modules + .d.ts; onnxruntime-web is
 *                        imported by name (the app's bundler emits its files), the worker is
 *                        `new Worker(new URL('./worker.js', import.meta.url))`; esm/vite.js is
 *                        the `resnet-web/vite` plugin, esm/cli.js the `resnet-web` command
 *   resnet-web.js        standalone ES module (a CDN, or any static server, no bundler)
 *   resnet-web.iife.js   script-tag bundle: window.ResNetWeb + <img data-classify> auto-tagging
 *   resnet-web.worker.js the standalone builds' classifier worker
 *   resnet-web.wordnet.js the WordNet table, which the worker loads when `groups` are first used
 *   ort/                 onnxruntime-web's files for the standalone builds, loaded on first use
 *   parcel/              onnxruntime-web for Parcel 2 (the package's "alias"): its bundle as text, run from a Blob URL
 *
 * A build whose inputs (src/, this script, the tsconfigs, package.json, the lock) are the same as
 * the last one's is skipped: the e2e static server and the consumer tests both ask for dist/
 * (`--force` builds anyway). The inputs' hash is kept outside dist/, so it never ships.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type InlineConfig, type Plugin } from 'vite';
import { ORT_DYNAMIC_CODE_FILES, withoutDynamicCode } from '../src/tools/ort-csp.ts';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');

// ---- skip when nothing changed ---------------------------------------------------------------------
const INPUTS = ['src', 'scripts/build.ts', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
const files = (p: string): string[] => {
  const abs = path.join(root, p);
  if (!existsSync(abs)) return [];
  if (statSync(abs).isFile()) return [p];
  return readdirSync(abs, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
};
const hash = createHash('sha256');
for (const f of INPUTS.flatMap(files).sort()) hash.update(`${f}\0`).update(readFileSync(path.join(root, f))).update('\0');
hash.update(readFileSync(path.join(root, 'node_modules/onnxruntime-web/package.json')));
const inputs = hash.digest('hex');
const stamp = path.join(root, 'node_modules/.cache/resnet-web-build.txt');
const outputs = ['esm/index.js', 'resnet-web.js', 'resnet-web.iife.js', 'resnet-web.worker.js', 'resnet-web.wordnet.js', 'ort/ort.wasm.bundle.min.mjs'];
if (!process.argv.includes('--force') && existsSync(stamp) && readFileSync(stamp, 'utf8') === inputs && outputs.every((f) => existsSync(path.join(dist, f)))) {
  console.log('dist/ is up to date: its inputs have not changed since the last build (--force builds anyway)');
  process.exit(0);
}
rmSync(stamp, { force: true });
rmSync(dist, { recursive: true, force: true });

// ---- dist/esm: the package's entry points for bundlers and Node ------------------------------
const tsc = (project: string) =>
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, project)], { stdio: 'inherit' });
tsc('tsconfig.build.json');
tsc('src/tools/tsconfig.build.json');
chmodSync(path.join(dist, 'esm/cli.js'), 0o755);
const factory = readFileSync(path.join(dist, 'esm/worker/start.js'), 'utf8');
if (!factory.includes("new Worker(new URL('./worker.js', import.meta.url)")) {
  throw new Error('dist/esm/worker/start.js: bundlers need the literal new Worker(new URL(\'./worker.js\', import.meta.url))');
}

// ---- standalone builds: src/standalone/ swapped in --------------------------------------------------
/**
 * The modules the standalone builds replace, by file (whoever imports them, from wherever): they
 * load onnxruntime-web from dist/ort/ instead of bundling it, start their worker from
 * dist/resnet-web.worker.js, and load the WordNet table from dist/resnet-web.wordnet.js.
 */
const SWAPS: Record<string, string> = {
  'src/runtime/ort-loader.ts': 'src/standalone/ort-loader.ts',
  'src/worker/start.ts': 'src/standalone/worker-start.ts',
  'src/wordnet/loader.ts': 'src/standalone/wordnet-loader.ts',
};
const swapped = new Set<string>();
const swaps: Plugin = {
  name: 'resnet-web-standalone-swaps',
  enforce: 'pre',
  resolveId(source, importer) {
    if (!importer || !source.startsWith('.')) return null;
    const file = path.relative(root, path.resolve(path.dirname(importer), source));
    if (!Object.hasOwn(SWAPS, file)) return null;
    swapped.add(file);
    return path.join(root, SWAPS[file]);
  },
};

// ---- standalone builds: everything beside them in dist/ ------------------------------------------
const standalone = (entry: string, format: 'es' | 'iife', fileName: string): InlineConfig => ({
  configFile: false,
  root,
  logLevel: 'warn',
  publicDir: false,
  // A script tag has no import.meta: the loader takes document.currentScript instead.
  ...(format === 'iife' ? { define: { 'import.meta.url': 'undefined' } } : {}),
  plugins: [swaps],
  build: {
    outDir: dist,
    emptyOutDir: false,
    sourcemap: true,
    lib: { entry: path.join(root, entry), formats: [format], name: 'ResNetWebBundle', fileName: () => fileName },
  },
});
await build(standalone('src/index.ts', 'es', 'resnet-web.js'));
await build(standalone('src/iife.ts', 'iife', 'resnet-web.iife.js'));
await build(standalone('src/worker/worker.ts', 'es', 'resnet-web.worker.js'));
// A renamed or moved module must not silently drop out of the swaps (the bundles would then load
// onnxruntime-web from node_modules paths that do not exist beside dist/).
const unused = Object.keys(SWAPS).filter((f) => !swapped.has(f));
if (unused.length) throw new Error(`standalone builds: no module imported ${unused.join(', ')}: update SWAPS in scripts/build.ts`);
// The WordNet table, which the worker imports from beside it when `groups` are first used,
// with WordNet's licence on top (the minifier drops comments; the licence asks to be on every copy).
const wordnetBuild = standalone('src/wordnet/table.ts', 'es', 'resnet-web.wordnet.js');
await build({ ...wordnetBuild, build: { ...wordnetBuild.build, sourcemap: false } });
const wordnetLicence = readFileSync(path.join(root, 'src/wordnet/table.ts'), 'utf8').match(/^\/\*![\s\S]*?\*\/\n/)![0];
const wordnetFile = path.join(dist, 'resnet-web.wordnet.js');
writeFileSync(wordnetFile, wordnetLicence + readFileSync(wordnetFile, 'utf8'));

// The bundles (same-origin pages), and the separate emscripten modules that onnxruntime-web
// loads instead when its bundle comes from another origin (a CDN) or `wasmPaths` is set.
const ort = path.join(root, 'node_modules/onnxruntime-web/dist');
mkdirSync(path.join(dist, 'ort'));
const ORT_FILES = [
  'ort.wasm.bundle.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm',
  'ort.webgpu.bundle.min.mjs', 'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm',
];
for (const f of ORT_FILES) {
  const bytes = readFileSync(path.join(ort, f));
  // No `new Function` in dist/: it runs under a strict Content-Security-Policy (see src/tools/ort-csp.ts).
  writeFileSync(path.join(dist, 'ort', f), ORT_DYNAMIC_CODE_FILES.test(f) ? withoutDynamicCode(bytes.toString('utf8'), f) : bytes);
}

// Parcel 2 (its package.json `alias`, which only Parcel reads, points onnxruntime-web's two entries
// here). Parcel builds scripts whose `import.meta.url` is a `file:` URL: onnxruntime-web bundled by
// it finds neither its `.wasm` nor a module its WASM threads can start from (and Parcel's minifier
// rejects its thread-start code). So Parcel gets onnxruntime-web's bundle as text, run as a real ES
// module from a Blob URL (its threads start from that URL), and the `.wasm` as a `new URL` literal,
// which Parcel emits; runtime/ort-loader.ts calls `load()`.
mkdirSync(path.join(dist, 'parcel'));
for (const [backend, bundle, wasm] of [
  ['wasm', 'ort.wasm.bundle.min.mjs', 'ort-wasm-simd-threaded.wasm'],
  ['webgpu', 'ort.webgpu.bundle.min.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'],
]) {
  const text = readFileSync(path.join(dist, 'ort', bundle), 'utf8');
  writeFileSync(
    path.join(dist, 'parcel', `ort-${backend}.js`),
    `// onnxruntime-web's ${bundle} for Parcel (written by scripts/build.ts; see the package's "alias").
const bundle = ${JSON.stringify(text)};
export async function load() {
  const wasm = new URL('../ort/${wasm}', import.meta.url).href;
  const url = URL.createObjectURL(new Blob([bundle], { type: 'text/javascript' }));
  const ort = await import(url);
  ort.env.wasm.wasmPaths = { wasm };
  return ort;
}
`,
  );
}

mkdirSync(path.dirname(stamp), { recursive: true });
writeFileSync(stamp, inputs);
console.log('dist/: esm/ (bundlers, Node, resnet-web/vite, the resnet-web command), resnet-web.js, resnet-web.iife.js, resnet-web.worker.js, resnet-web.wordnet.js, ort/');
