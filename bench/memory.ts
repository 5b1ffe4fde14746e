/**
 * Memory: what a classifier holds and what `dispose()` gives back, per model × precision ×
 * backend × path (worker, page), then the soaks: create/dispose cycles and a long `watch`.
 *
 * npm run bench:memory [-- --configs resnet56-cifar10/fp32/wasm,…] [--cycles 50] [--cycles-model M]
 *                      [--cycles-paths worker,page] [--settle 15] [--watch-minutes 10]
 *                      [--only table|cycles|watch] [--out bench/memory.md]
 *
 * Each configuration runs in a fresh Chromium (launched by this script, so that its processes are
 * known) on bench/memory.html, built by Vite with the SDK's plugin as an app would be and served
 * cross-origin isolated (`vite preview`). (On Vite's dev server, whose worker loads the SDK as ~100
 * modules, a terminated worker leaves more behind: measure built code.) Memory is read after a
 * garbage collection in the page and in each of its workers:
 * - **tab**: the proportional set size (PSS, /proc/PID/smaps_rollup) of the browser's renderer
 *   processes: the page, its workers, their JS heaps, onnxruntime-web's WebAssembly memory;
 * - **GPU process**: its PSS, where WebGPU's buffers live (SwiftShader here: in RAM).
 * The JS heap, WebAssembly memory and GPU buffers from inside the page: e2e/lifecycle.spec.ts.
 * The cycles run differently (see `cycles`): in a Chromium with no DevTools client, measured after
 * `--settle` seconds idle. Figures only: nothing is asserted (the e2e test `memory.spec.ts`
 * asserts a short version of the cycles).
 */
import { chromium, type Page } from '@playwright/test';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build, preview, type Plugin } from 'vite';
import { chromiumArgs, chromiumPath } from '../playwright.config.ts';
import { resnetWeb } from '../src/vite.ts';
import { collectGarbage, descendants, MarkedPage, procMemory, type ProcMemory } from './proc-memory.ts';
import { within } from './shared.ts';

const root = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    configs: {
      type: 'string',
      default: [
        'resnet50-untrained/fp32/wasm', 'resnet50-untrained/fp16/wasm', 'resnet50-untrained/int8/wasm', 'resnet50-untrained/fp32/webgpu',
        'mobilenetv2-int8/int8/wasm', 'resnet56-cifar10/fp32/wasm', 'resnet56-cifar10/fp32/webgpu',
      ].join(','),
    },
    cycles: { type: 'string', default: '50' },
    'cycles-model': { type: 'string', default: 'resnet50-untrained' },
    'cycles-paths': { type: 'string', default: 'worker,page' },
    settle: { type: 'string', default: '15' },
    'watch-minutes': { type: 'string', default: '10' },
    'watch-model': { type: 'string', default: 'resnet50-untrained' },
    only: { type: 'string' },
    out: { type: 'string', default: path.join(root, 'bench/memory.md') },
  },
});
const MINUTE = 60_000;
const PORT = 5196;
const log = (s: string) => process.stderr.write(`${s}\n`);
const MB = (kb: number) => (Number.isFinite(kb) ? (kb / 1024).toFixed(0) : '?');

// ---- the browser --------------------------------------------------------------------------------
interface Session {
  page: Page;
  /** The browser's memory (kB) after a garbage collection in the page and its workers. */
  measure(): Promise<ProcMemory>;
  close(): Promise<void>;
}

async function open(): Promise<Session> {
  const server = await chromium.launchServer({
    executablePath: chromiumPath,
    args: [...chromiumArgs, '--js-flags=--expose-gc'],
  });
  const pid = server.process().pid!;
  const browser = await chromium.connect(server.wsEndpoint());
  const page = await browser.newPage();
  page.on('pageerror', (e) => log(`  [page error] ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && log(`  [console error] ${m.text()}`));
  await within(MINUTE, 'loading the page', page.goto(`http://localhost:${PORT}/bench/memory.html`));
  await page.waitForFunction(() => !!window.memoryBench, null, { timeout: MINUTE });
  return {
    page,
    async measure() {
      await collectGarbage(page);
      return procMemory(descendants(pid));
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Creates a classifier in the page (kept as window.mem), classifies the photo once. */
async function create(page: Page, model: string, precision: string, backend: string, worker: boolean): Promise<void> {
  await page.evaluate(async ({ model, precision, backend, worker }) => {
    const c = await window.memoryBench.createClassifier({ model, precision: precision as 'fp32', backend: backend as 'wasm', worker });
    await c.classify('/photos/pytorch-hub-dog.jpg');
    (window as unknown as { mem: unknown }).mem = c;
  }, { model, precision, backend, worker });
}
const dispose = (page: Page) =>
  page.evaluate(async () => {
    const w = window as unknown as { mem?: { dispose(): Promise<void> } };
    await w.mem?.dispose();
    delete w.mem;
  });

// ---- the table ----------------------------------------------------------------------------------
interface Row { config: string; path: string; before: ProcMemory; loaded: ProcMemory; after: ProcMemory }

async function table(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const config of args.configs!.split(',')) {
    const [model, precision, backend] = config.split('/');
    for (const worker of [true, false]) {
      log(`${config}, ${worker ? 'worker' : 'page'}…`);
      const s = await open();
      try {
        // The model is read from the cache during the measurement (a first load in a worker, ended, stores it).
        await create(s.page, model, precision, 'wasm', true);
        await dispose(s.page);
        const before = await s.measure();
        await create(s.page, model, precision, backend, worker);
        const loaded = await s.measure();
        await dispose(s.page);
        const after = await s.measure();
        rows.push({ config, path: worker ? 'worker' : 'page', before, loaded, after });
      } finally {
        await s.close();
      }
    }
  }
  return rows;
}

// ---- the soaks ----------------------------------------------------------------------------------
interface Series { label: string; points: { at: string; m: ProcMemory }[] }

/**
 * Create/classify/dispose cycles, back to back, run by the page itself in a Chromium with no
 * DevTools client (`MarkedPage`). The page calls `/__mark` at each checkpoint, after a
 * garbage collection and `--settle` seconds idle, and the bench measures then. Why 15 s: a
 * worker's threads end 2 s after `dispose()` (Chromium's forced end of a thread that waits in
 * `Atomics.wait`, as onnxruntime-web's do), and V8 keeps the pages of the ended workers' heaps
 * for reuse 8 s more before it returns them; measured sooner, those pages count.
 */
async function cycles(worker: boolean): Promise<Series> {
  const n = Number(args.cycles);
  const model = args['cycles-model']!;
  const settle = Number(args.settle) * 1000;
  log(`${n} create/classify/dispose cycles of ${model} (WASM, ${worker ? 'worker' : 'page'}), measured after ${args.settle} s idle…`);
  const query = new URLSearchParams({ cycles: String(n), model, worker: worker ? '1' : '0', settle: String(settle) });
  const points = await marks.run(`http://localhost:${PORT}/bench/memory.html?${query}`, {
    onPoint: (at, m) => log(`  ${at}: tab ${MB(m.tab)} MB`),
    bound: (work) => within(n * MINUTE, `${n} cycles`, work),
  });
  return { label: `${n} cycles, ${model}, WASM, ${worker ? 'worker' : 'page'}`, points: [...points].map(([at, m]) => ({ at, m })) };
}
/** The self-driving page of `cycles`, whose `/__mark` the preview server answers. */
const marks = new MarkedPage();
const markPlugin: Plugin = {
  name: 'memory-bench-mark',
  configurePreviewServer(server) {
    server.middlewares.use((req, res, next) => {
      if (!marks.handle(req, res)) next();
    });
  },
};

async function watch(): Promise<Series & { frames: number }> {
  const minutes = Number(args['watch-minutes']);
  const model = args['watch-model']!;
  log(`${minutes} minutes of watch on ${model} (WASM, worker)…`);
  const s = await open();
  const points: Series['points'] = [];
  let frames = 0;
  try {
    await s.page.evaluate(async (model) => {
      const w = window as unknown as { watched: { frames: number }; stopWatch: () => void };
      const c = await window.memoryBench.createClassifier({ model, backend: 'wasm' });
      const photos = ['classic/pytorch-hub-dog.jpg', 'classic/trt5-mug-cc0.jpeg', 'classic/trt5-binoculars.jpeg'].map((p) => `/photos/${p.split('/')[1]}`);
      const video = await window.memoryBench.photoVideo(photos, { msPerPhoto: 2000 });
      w.watched = { frames: 0 };
      const handle = c.watch(video.video, () => void w.watched.frames++);
      w.stopWatch = () => {
        handle.stop();
        video.stop();
        void c.dispose();
      };
    }, model);
    for (let minute = 1; minute <= minutes; minute++) {
      await new Promise((r) => setTimeout(r, MINUTE));
      frames = await s.page.evaluate(() => (window as unknown as { watched: { frames: number } }).watched.frames);
      points.push({ at: `${minute} min (${frames} frames)`, m: await s.measure() });
      log(`  ${minute} min: ${frames} frames, tab ${MB(points.at(-1)!.m.tab)} MB`);
    }
    await s.page.evaluate(() => (window as unknown as { stopWatch: () => void }).stopWatch());
  } finally {
    await s.close();
  }
  return { label: `${minutes} min of watch, ${model}, WASM, worker`, points, frames };
}

// ---- run, report --------------------------------------------------------------------------------
const dist = path.join(root, 'bench/.dist-memory');
log('building bench/memory.html…');
await build({
  configFile: false,
  root,
  logLevel: 'warn',
  plugins: [resnetWeb()],
  build: { outDir: dist, emptyOutDir: true, chunkSizeWarningLimit: 2048, rolldownOptions: { input: [path.join(root, 'bench/memory.html')] } },
});
cpSync(path.join(root, 'test/data/images/classic'), path.join(dist, 'photos'), { recursive: true });
const server = await preview({ configFile: false, root, logLevel: 'warn', build: { outDir: dist }, plugins: [resnetWeb(), markPlugin], preview: { port: PORT, strictPort: true } });
const lines: string[] = [];
try {
  const only = args.only;
  if (!only || only === 'table') {
    const rows = await table();
    lines.push(
      '## What a classifier holds, and what dispose() gives back',
      '',
      'MB, after a garbage collection. "tab": PSS of the renderer (page + workers); "GPU": PSS of the GPU process. ' +
        '"held" = loaded − before (one classify done); "left" = after dispose() − before.',
      '',
      '| model / precision / backend | path | tab before | tab held | tab left | GPU held | GPU left |',
      '|---|---|---|---|---|---|---|',
      ...rows.map((r) =>
        `| ${r.config} | ${r.path} | ${MB(r.before.tab)} | ${MB(r.loaded.tab - r.before.tab)} | ${MB(r.after.tab - r.before.tab)} | ` +
          `${MB(r.loaded.gpu - r.before.gpu)} | ${MB(r.after.gpu - r.before.gpu)} |`,
      ),
      '',
    );
  }
  const series: Series[] = [];
  if (!only || only === 'cycles') for (const p of args['cycles-paths']!.split(',')) series.push(await cycles(p === 'worker'));
  if (!only || only === 'watch') series.push(await watch());
  for (const s of series) {
    const base = s.points.find((p) => p.at !== 'before')!.m;
    lines.push(
      `## ${s.label}`,
      '',
      '| when | tab MB | vs the first | GPU MB |',
      '|---|---|---|---|',
      ...s.points.map((p) => `| ${p.at} | ${MB(p.m.tab)} | ${p.at === 'before' ? '' : `${(((p.m.tab - base.tab) / base.tab) * 100).toFixed(1)} %`} | ${MB(p.m.gpu)} |`),
      '',
    );
  }
} finally {
  await new Promise((r) => server.httpServer.close(r));
}
const text = lines.join('\n');
process.stdout.write(`${text}\n`);
mkdirSync(path.dirname(args.out!), { recursive: true });
writeFileSync(args.out!, text);
