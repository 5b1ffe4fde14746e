/**
 * npm run check, the first step of `npm test`: the type check and the API reference. Two programs,
 * each single-threaded, so they run side by side (CI has 2 cores):
 * - TypeDoc on tsconfig.json (the SDK and the demo): it type-checks that whole program (a type
 *   error fails it) and writes the API reference (an undocumented public symbol fails it);
 * - tsc on tsconfig.node.json: the tests, e2e, bench and scripts, and the Node tooling they import
 *   (src/tools/, cli.ts). `npm run build`, which the e2e and consumer tests run, checks the tools
 *   again under their own tsconfig.
 * A failure in either fails the whole; each command's output is printed when it ends.
 * `npm run typecheck` runs the three TypeScript programs in a row, without the docs.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules/.bin', name);

/** Commands in a lane run one after the other; the lanes run side by side. */
const LANES: string[][][] = [[[bin('typedoc')]], [[bin('tsc'), '-p', 'tsconfig.node.json']]];

function run([cmd, ...args]: string[]): Promise<boolean> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => (out += String(e)));
    child.on('close', (code) => {
      const what = `${path.basename(cmd)} ${args.join(' ')}`.trim();
      process.stdout.write(`${code === 0 ? 'ok  ' : 'FAIL'} ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n${out}`);
      resolve(code === 0);
    });
  });
}

const results = await Promise.all(
  LANES.map(async (lane) => {
    let ok = true;
    for (const command of lane) ok = (await run(command)) && ok;
    return ok;
  }),
);
process.exitCode = results.every(Boolean) ? 0 : 1;
