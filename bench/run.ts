/**
 * npm run bench [-- --runs 10] [--models resnet50-untrained,resnet56-cifar10] [--backends wasm,webgpu] [--precisions fp32,fp16,int8]
 *                 [--precisions-only] [--no-tjs] [--watch-models resnet56-cifar10,mobilenetv2-int8] [--watch-seconds 10]
 *                 [--embed-models resnet50-untrained,resnet56-cifar10,mobilenetv2-int8] [--cold-runs 5] [--cold-profile memory|disk]
 *
 * Builds the bench pages (production build), serves them with COOP/COEP, and measures in
 * Chromium, per model and backend: raw session.run, classify end to end in the classifier's
 * worker (the default) and on the page's thread (`worker: false`), preprocessing alone, cold
 * start, classifyBatch; plus onnxruntime-node natively and Transformers.js on the same ONNX
 * files. Then, per precision (the fp16/int8 files of `npm run models -- --precision fp16,int8`):
 * file size, session creation, classify, cold start, and top-1 agreement with fp32 on the test
 * photos (ImageNet models). Then `classifier.watch` on a 30 fps canvas stream of the classic photos
 * (--watch-models, '' for none): frames classified per second, frames dropped, latency. Then
 * `analyze` (labels + embedding, one run) and `embed` against `classify` (--embed-models, '' for none).
 * Cold starts run in a fresh browser context per visit pair: Playwright's default (`--cold-profile
 * memory`) is an off-the-record one, whose Cache Storage and HTTP cache live in memory;
 * `--cold-profile disk` opens a new on-disk profile instead, as a user's browser has.
 * Prints the tables and writes bench/results.md. Figures only: nothing is asserted.
 * Every wait has a time limit: a stage that hangs fails the run with the stage's name.
 */
import { chromium, type Browser } from '@playwright/test';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build, preview } from 'vite';
import { chromiumArgs, chromiumPath } from '../playwright.config.ts';
import { MODELS } from '../src/model/registry.ts';
import type { Precision } from '../src/model/spec.ts';
import { resnetWeb } from '../src/vite.ts';
import { renameInput } from './onnx-rename.ts';
import { coldStageLines, coldVisits as visitCold, type ColdRow } from './cold-visits.ts';
import { callTimeoutMs, median, ms, ratio, timeit, within, type BrowserResult, type PrecisionResult, type Timing, type WatchBenchResult } from './shared.ts';

const root = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    models: { type: 'string', default: 'resnet50-untrained,resnet56-cifar10' },
    backends: { type: 'string', default: 'wasm,webgpu' },
    batch: { type: 'string', default: '8' },
    'no-tjs': { type: 'boolean', default: false },
    precisions: { type: 'string', default: 'fp32,fp16,int8' },
    'precisions-only': { type: 'boolean', default: false },
    'watch-models': { type: 'string' },
    'watch-seconds': { type: 'string', default: '10' },
    'cold-runs': { type: 'string', default: '5' },
    'embed-models': { type: 'string' },
    'cold-only': { type: 'boolean', default: false },
    'cold-profile': { type: 'string', default: 'memory' },
    image: { type: 'string', default: path.resolve(root, 'test/data/images/classic/pytorch-hub-dog.jpg') },
    out: { type: 'string', default: path.join(root, 'bench/results.md') },
  },
});
const MINUTE = 60_000;
const RUNS = Number(args.runs);
const BATCH = Number(args.batch);
const models = args.models!.split(',');
// `--models` limits every table; without it the watch and embedding tables have models of their own.
const modelsGiven = process.argv.some((a) => a === '--models' || a.startsWith('--models='));
const watchModels = (args['watch-models'] ?? (modelsGiven ? args.models! : 'resnet56-cifar10,mobilenetv2-int8')).split(',').filter(Boolean);
const embedModels = (args['embed-models'] ?? (modelsGiven ? args.models! : 'resnet50-untrained,resnet56-cifar10,mobilenetv2-int8')).split(',').filter(Boolean);
const coldOnly = args['cold-only'];
const coldProfile = args['cold-profile'];
if (coldProfile !== 'memory' && coldProfile !== 'disk') throw new Error(`--cold-profile must be memory or disk, got ${coldProfile}`);
const backends = args.backends!.split(',') as ('wasm' | 'webgpu')[];
const modelsDir = path.join(root, 'public/models');
const precisionList = args.precisions!.split(',').filter(Boolean) as Precision[];
for (const m of models) {
  const file = path.join(modelsDir, MODELS[m]?.url ?? '?');
  if (!existsSync(file)) throw new Error(`${m}: ${file} is missing; run \`npm run models\` first`);
}
const log = (s: string) => process.stderr.write(`${s}\n`);

// ---- build the pages and what they serve ----------------------------------------------------
const dist = path.join(root, 'bench/.dist');
log('building bench pages…');
// The SDK's Vite plugin, as the demo's build has it (ES module workers above all: see src/vite.ts).
await within(5 * MINUTE, 'building the bench pages', build({
  plugins: [resnetWeb()],
  configFile: false,
  root,
  logLevel: 'warn',
  build: {
    outDir: dist,
    emptyOutDir: true,
    chunkSizeWarningLimit: 2048,
    rolldownOptions: { input: ['index', 'tjs', 'cold', 'raw-cold'].map((p) => path.join(root, `bench/${p}.html`)) },
  },
}));
cpSync(args.image!, path.join(dist, 'bench-image.jpg'));
// The test photos, for the precisions' top-1 agreement with fp32 (ImageNet models).
const photoDirs = ['imagenet', 'classic'];
for (const d of photoDirs) cpSync(path.join(root, 'test/data/images', d), path.join(dist, 'bench-photos', d), { recursive: true });
const photos = photoDirs.flatMap((d) => readdirSync(path.join(root, 'test/data/images', d)).sort().map((f) => `/bench-photos/${d}/${f}`));
const tjsOrt = path.join(root, 'node_modules/@huggingface/transformers/node_modules/onnxruntime-web/dist');
const tjsOrtDir = existsSync(tjsOrt) ? tjsOrt : path.join(root, 'node_modules/onnxruntime-web/dist');
mkdirSync(path.join(dist, 'tjs-ort'), { recursive: true });
for (const f of ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm']) {
  cpSync(path.join(tjsOrtDir, f), path.join(dist, 'tjs-ort', f));
}
/** Transformers.js wants a model folder: config.json, preprocessor_config.json, onnx/model.onnx (input `pixel_values`). */
function writeTjsModel(name: string): void {
  const m = MODELS[name];
  const dir = path.join(dist, 'tjs-models', name);
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  const labels: string[] = JSON.parse(readFileSync(path.join(modelsDir, m.labels as string), 'utf8'));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({
    model_type: 'resnet',
    architectures: ['ResNetForImageClassification'],
    num_labels: labels.length,
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
  }));
  // ConvNextImageProcessor: shortest edge → size / crop_pct, then center-crop to size (256 → 224).
  writeFileSync(path.join(dir, 'preprocessor_config.json'), JSON.stringify({
    image_processor_type: 'ConvNextImageProcessor',
    do_resize: true,
    size: { shortest_edge: m.inputSize },
    crop_pct: m.inputSize / m.resizeTo,
    resample: 2,
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: m.mean,
    image_std: m.std,
  }));
  const onnx = readFileSync(path.join(modelsDir, m.url));
  writeFileSync(path.join(dir, 'onnx/model.onnx'), renameInput(onnx, m.inputName!, 'pixel_values'));
}
if (!args['no-tjs']) models.forEach(writeTjsModel);

const server = await within(MINUTE, 'starting the preview server', preview({
  configFile: false,
  root,
  logLevel: 'warn',
  build: { outDir: dist },
  plugins: [resnetWeb()],
  preview: { port: 5190, strictPort: true },
}));
const base = 'http://localhost:5190/bench/';

// ---- (f) onnxruntime-node, native CPU ---------------------------------------------------------
async function native(name: string): Promise<Timing> {
  const ort = await import('onnxruntime-node');
  const m = MODELS[name];
  const session = await ort.InferenceSession.create(path.join(modelsDir, m.url), {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: os.availableParallelism(),
  });
  const data = Float32Array.from({ length: 3 * m.inputSize ** 2 }, (_, i) => Math.sin(i));
  const input = new ort.Tensor('float32', data, [1, 3, m.inputSize, m.inputSize]);
  const t = await timeit(RUNS, () => session.run({ [m.inputName!]: input }), { timeoutMs: MINUTE, label: `onnxruntime-node ${name}` });
  await session.release();
  return t;
}

// ---- browser measurements ---------------------------------------------------------------------
const browser: Browser = await within(MINUTE, 'launching Chromium', chromium.launch({
  executablePath: chromiumPath,
  args: chromiumArgs,
}));
/** Opens `url` in a fresh context, waits (within a minute) for `ready`, then runs `fn`. */
async function inPage<T>(url: string, ready: string, fn: (page: import('@playwright/test').Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => log(`  [page error] ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && !/^Failed to load resource/.test(m.text()) && log(`  [console error] ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && log(`  [HTTP ${r.status()}] ${r.url()}`));
  try {
    await within(MINUTE, `loading ${url}`, page.goto(url));
    await page.waitForFunction(ready, null, { timeout: MINUTE }).catch(() => {
      throw new Error(`bench: ${url} did not get ready (${ready}) within 60 s`);
    });
    return await fn(page);
  } finally {
    await context.close();
  }
}

const adapter = await inPage(`${base}index.html`, '!!window.bench', (page) => page.evaluate(() => window.bench.adapterName()));
const swiftshader = /swiftshader/i.test(adapter);

/** Slow runs on a software GPU: fewer of them (said in the table), one warm-up turn, one cold start, no batch. */
function plan(model: string, backend: string): { runs: number; batch: number; warmup: number; coldRuns: number } {
  if (backend === 'webgpu' && swiftshader && model.startsWith('resnet50')) return { runs: Math.min(RUNS, 3), batch: 0, warmup: 1, coldRuns: 1 };
  return { runs: RUNS, batch: BATCH, warmup: 2, coldRuns: Math.min(RUNS, Number(args['cold-runs'])) };
}

/** A limit for a whole page measurement: far above what it takes, so that only a hang reaches it. */
const measureLimit = (backend: 'wasm' | 'webgpu', runs: number, batch: number) => callTimeoutMs(backend) * (8 + 6 * runs + 2 * runs * batch);

const coldVisits = (urls: Record<string, string>, backend: string, runs: number) => visitCold(browser, coldProfile, log, urls, backend, runs);

async function cold(model: string, backend: string, runs: number, precision = 'fp32'): Promise<{ fresh: Timing; cached: Timing }> {
  const url = `${base}cold.html?model=${model}&backend=${backend}&precision=${precision}`;
  const { sdk } = await coldVisits({ sdk: url }, backend, runs);
  return { fresh: median(sdk.fresh.map((r) => r.total)), cached: median(sdk.cached.map((r) => r.total)) };
}

interface Row extends BrowserResult {
  coldFresh: Timing;
  coldCached: Timing;
  tjs: Timing | null;
  tjsTop: string;
}
const rows: Row[] = [];
const natives: Record<string, Timing> = {};
for (const model of args['precisions-only'] || coldOnly ? [] : models) {
  log(`${model}: onnxruntime-node…`);
  natives[model] = await within(5 * MINUTE, `onnxruntime-node ${model}`, native(model));
  for (const backend of backends) {
    const { runs, batch, warmup, coldRuns } = plan(model, backend);
    log(`${model} on ${backend}: ${runs} runs, in the worker and on the page…`);
    // The page names the step it was in when it times out; this outer limit catches a page that stops answering.
    const r = await inPage(`${base}index.html`, '!!window.bench', (page) =>
      within(measureLimit(backend, runs, batch), `${model} on ${backend}: measure`,
        page.evaluate(([m, b, n, k, w]) => window.bench.measure(m, b, n, k, w), [model, backend, runs, batch, warmup] as const)));
    log(`${model} on ${backend}: cold start…`);
    const c = await cold(model, backend, coldRuns);
    let tjs: Timing | null = null;
    let tjsTop = '';
    if (!args['no-tjs']) {
      log(`${model} on ${backend}: Transformers.js…`);
      const t = await inPage(`${base}tjs.html`, '!!window.benchTjs', (page) =>
        within(measureLimit(backend, runs, 0), `Transformers.js ${model} on ${backend}`,
          page.evaluate(([m, b, n, w]) => window.benchTjs(m, b, n, w), [model, backend, runs, warmup] as const)));
      tjs = t.timing;
      tjsTop = t.top;
    }
    rows.push({ ...r, coldFresh: c.fresh, coldCached: c.cached, tjs, tjsTop });
  }
}
// ---- precisions ---------------------------------------------------------------------------------
interface PrecisionRow extends PrecisionResult {
  model: string;
  backend: string;
  coldFresh: Timing;
  coldCached: Timing;
  photos: number;
}
const precisionRows: PrecisionRow[] = [];
for (const model of coldOnly ? [] : models) {
  const m = MODELS[model];
  const list = precisionList.filter((p) => p === (m.precision ?? 'fp32') || existsSync(path.join(modelsDir, m.precisions?.[p as 'fp16' | 'int8']?.url ?? '?')));
  if (list.length < 2) {
    log(`${model}: no compact files (npm run models -- --precision fp16,int8): no precision table`);
    continue;
  }
  for (const backend of backends) {
    if (backend === 'webgpu' && swiftshader && model.startsWith('resnet50')) continue; // minutes a run
    const { runs, coldRuns } = plan(model, backend);
    const usePhotos = m.inputSize === 224 ? photos : [];
    log(`${model} on ${backend}: precisions ${list.join(', ')}${usePhotos.length ? `, top-1 on ${usePhotos.length} photos` : ''}…`);
    const results = await inPage(`${base}index.html`, '!!window.bench', (page) =>
      within(measureLimit(backend, runs, 0) * list.length + callTimeoutMs(backend) * usePhotos.length * list.length, `${model} on ${backend}: precisions`,
        page.evaluate(([m, b, l, n, p]) => window.bench.precisions(m, b, l, n, 5, p), [model, backend, list, runs, usePhotos] as const)));
    for (const r of results) {
      log(`${model} on ${backend}: cold start, ${r.precision}…`);
      const c = await cold(model, backend, coldRuns, r.precision);
      precisionRows.push({ ...r, model, backend, coldFresh: c.fresh, coldCached: c.cached, photos: usePhotos.length });
    }
  }
}

// ---- cold start, stage by stage: the SDK (worker, page) against a hand-written onnxruntime-web page ----
const coldRows: ColdRow[] = [];
for (const model of args['precisions-only'] ? [] : models) {
  for (const backend of backends) {
    const { coldRuns } = plan(model, backend);
    log(`${model} on ${backend}: cold start stage by stage, ${coldRuns} × (raw page, worker, page)…`);
    // The smaller files too, where the models command made them: fewer bytes to read, weights folded at load.
    const compact = (['fp16', 'int8'] as const).filter((p) => existsSync(path.join(modelsDir, MODELS[model].precisions?.[p]?.url ?? '?')));
    const visits = await coldVisits({
      raw: `${base}raw-cold.html?model=${model}&backend=${backend}`,
      worker: `${base}cold.html?model=${model}&backend=${backend}&worker=1`,
      page: `${base}cold.html?model=${model}&backend=${backend}&worker=0`,
      ...Object.fromEntries(compact.map((p) => [`worker, ${p}`, `${base}cold.html?model=${model}&backend=${backend}&worker=1&precision=${p}`])),
    }, backend, coldRuns);
    coldRows.push({ model, backend, runs: coldRuns, visits });
  }
}

// ---- live video: classifier.watch ----------------------------------------------------------------
const watchRows: (WatchBenchResult & { model: string; backend: string })[] = [];
const watchSeconds = Number(args['watch-seconds']);
const classicPhotos = readdirSync(path.join(root, 'test/data/images/classic')).sort().map((f) => `/bench-photos/classic/${f}`);
for (const model of coldOnly ? [] : watchModels) {
  if (!existsSync(path.join(modelsDir, MODELS[model]?.url ?? '?'))) throw new Error(`${model}: its model file is missing; run \`npm run models\` first`);
  for (const backend of backends) {
    if (backend === 'webgpu' && swiftshader && MODELS[model].inputSize > 32) continue; // seconds a frame
    log(`${model} on ${backend}: watch, ${watchSeconds} s in the worker and on the page…`);
    const results = await inPage(`${base}index.html`, '!!window.bench', (page) =>
      within(2 * (watchSeconds * 1000 + 4 * callTimeoutMs(backend)), `${model} on ${backend}: watch`,
        page.evaluate(([m, b, s, p]) => window.bench.watchFps(m, b, s, p), [model, backend, watchSeconds, classicPhotos] as const)));
    for (const r of results) watchRows.push({ ...r, model, backend });
  }
}

// ---- embeddings: analyze vs classify ---------------------------------------------------------------
const embedRows: { model: string; backend: string; classify: Timing; analyze: Timing; embed: Timing; size: number }[] = [];
for (const model of coldOnly ? [] : embedModels) {
  if (!existsSync(path.join(modelsDir, MODELS[model]?.url ?? '?'))) throw new Error(`${model}: its model file is missing; run \`npm run models\` first`);
  for (const backend of backends) {
    if (backend === 'webgpu' && swiftshader && MODELS[model].inputSize > 32) continue; // seconds a run
    const { runs } = plan(model, backend);
    log(`${model} on ${backend}: analyze vs classify, ${runs} runs…`);
    const r = await inPage(`${base}index.html`, '!!window.bench', (page) =>
      within(measureLimit(backend, runs, 0) * 3, `${model} on ${backend}: analyze`,
        page.evaluate(([m, b, n]) => window.bench.analyzeCost(m, b, n), [model, backend, runs] as const)));
    embedRows.push({ ...r, model, backend });
  }
}

const chromiumVersion = browser.version();
await within(MINUTE, 'closing Chromium', browser.close());
await within(MINUTE, 'stopping the preview server', new Promise<void>((resolve) => server.httpServer.close(() => resolve())));

// ---- report -------------------------------------------------------------------------------------
const n = (t: Timing | null) => (t ? ` (n=${t.n})` : '');
const imageSize = await jpegSize();
async function jpegSize(): Promise<string> {
  const b = readFileSync(args.image!);
  // JPEG SOF0/SOF2: height and width follow the marker. An EXIF thumbnail has one too: take the largest.
  let best = { w: 0, h: 0 };
  for (let i = 2; i < b.length - 9; i++) {
    if (b[i] === 0xff && (b[i + 1] === 0xc0 || b[i + 1] === 0xc2)) {
      const [h, w] = [b.readUInt16BE(i + 5), b.readUInt16BE(i + 7)];
      if (w * h > best.w * best.h) best = { w, h };
    }
  }
  return best.w ? `${best.w}×${best.h}` : 'size unknown';
}
const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
  `Chromium ${chromiumVersion}; WebGPU adapter: ${adapter}${swiftshader ? ' (SwiftShader: a CPU Vulkan, not a GPU)' : ''}; Node ${process.version}`;

const lines: string[] = [];
lines.push('# Benchmark results', '');
lines.push(`Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench\` on: ${machine}.`, '');
lines.push(`Medians of ${RUNS} runs after warm-up unless n says otherwise; (a) and (b) taken in turns; image: ` +
  `${path.basename(args.image!)} (${imageSize}); WASM threads: ${rows[0]?.threads ?? '?'} (the SDK's and the raw baseline's alike). ` +
  '(b) is `classify` end to end: "worker" is the default path (decoding, preprocessing and the model in the classifier\'s ' +
  'Web Worker; an ImageBitmap crosses as a transferred copy, a Blob by reference), "page" is `worker: false`. ' +
  '(c) is from an ImageBitmap (reading its pixels included), on the path the backend uses (CPU for WASM: the WebAssembly SIMD resize, and beside it the JavaScript one; GPU compute for WebGPU); (d) is page load → ' +
  'first result on the default path, median of fresh browser contexts (nothing cached) and of reloads (model bytes from ' +
  'Cache Storage); (e) is on the default path; (f) uses all cores.', '');
if (swiftshader && backends.includes('webgpu')) {
  lines.push('**The WebGPU figures are SwiftShader\'s** (software Vulkan on the CPU): they show that the GPU path runs, not how fast a GPU is. ' +
    'ResNet-50 on SwiftShader takes tens of seconds a run, so it gets 3 runs, one warm-up turn, one cold start and no batch.', '');
}
lines.push('| model | backend | (a) raw session.run | (b) worker: classify(ImageBitmap) | (b) worker: classify(Blob) | (b) page: classify(ImageBitmap) | (b) page: classify(Blob) | ' +
  '(c) preprocess | (c) preprocess, JavaScript resize | (d) cold, not cached | (d) cold, cached | (e) classifyBatch of ' + BATCH + ' Blobs, per image | ' +
  '(e) classify of the same Blobs one by one, per image | (f) onnxruntime-node | (g) Transformers.js |');
lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  lines.push(`| ${r.model} | ${r.backend} | ${ms(r.raw)}${n(r.raw)} | ${ms(r.worker.classifyBitmap)} | ${ms(r.worker.classifyBlob)} | ` +
    `${ms(r.page.classifyBitmap)} | ${ms(r.page.classifyBlob)} | ${ms(r.preprocess)} | ${ms(r.preprocessJs)} | ${ms(r.coldFresh)}${n(r.coldFresh)} | ${ms(r.coldCached)} | ` +
    `${ms(r.batchPerImage)} | ${ms(r.singleForBatch)} | ${ms(natives[r.model])} | ${ms(r.tjs)} |`);
}
lines.push('', '| model | backend | worker: classify(ImageBitmap) / raw | worker: classify(Blob) / raw | page: classify(ImageBitmap) / raw | ' +
  'page: classify(Blob) / raw | worker / page (ImageBitmap) | WASM raw / native | batch / single per image | ours (worker, Blob) / Transformers.js |');
lines.push('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  lines.push(`| ${r.model} | ${r.backend} | ${ratio(r.worker.classifyBitmap, r.raw)} | ${ratio(r.worker.classifyBlob, r.raw)} | ` +
    `${ratio(r.page.classifyBitmap, r.raw)} | ${ratio(r.page.classifyBlob, r.raw)} | ${ratio(r.worker.classifyBitmap, r.page.classifyBitmap)} | ` +
    `${r.backend === 'wasm' ? ratio(r.raw, natives[r.model]) : '–'} | ${ratio(r.batchPerImage, r.singleForBatch)} | ${ratio(r.worker.classifyBlob, r.tjs)} |`);
}
lines.push('', 'Ratios below 1 favour the first term. Targets: classify(ImageBitmap)/raw ≤ 1.05 in the worker and classify(Blob)/raw ≤ 1.10 on WASM for ResNet-50; batch/single < 1 on WASM.');
lines.push('', 'The resize passes alone (resize + centre crop of the pixels the crop reads, already read back), WebAssembly SIMD against JavaScript:', '');
lines.push('| model | backend | WebAssembly SIMD | JavaScript | JavaScript / SIMD |');
lines.push('|---|---|---|---|---|');
for (const r of rows) if (r.resize) lines.push(`| ${r.model} | ${r.backend} | ${ms(r.resize.simd)} | ${ms(r.resize.js)} | ${ratio(r.resize.js, r.resize.simd)} |`);
lines.push('', 'Where one `classify(ImageBitmap)` went (`lastTimings`, medians of 5; decode: reading the pixels, and in the worker the bitmap\'s crossing):', '');
lines.push('| model | backend | path | decode | preprocess | inference | total | total − raw |');
lines.push('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  for (const p of ['worker', 'page'] as const) {
    const s = r.stages[p];
    lines.push(`| ${r.model} | ${r.backend} | ${p} | ${s.decode.toFixed(1)} ms | ${s.preprocess.toFixed(1)} ms | ${s.inference.toFixed(1)} ms | ${s.total.toFixed(1)} ms | ${(s.total - r.raw.median).toFixed(1)} ms |`);
  }
}
if (precisionRows.length) {
  lines.push('', '## Precisions', '',
    'The fp16 and int8 files (`npm run models -- --precision fp16,int8`) against fp32. Session creation: `InferenceSession.create` on the bytes in memory ' +
    `(median of 5; the weights become float32 there); raw: \`session.run\` on a ready tensor, and classify: \`classify(ImageBitmap)\` on the page's thread, ` +
    'each with the precisions taken in turns; cold: as (d), ' +
    'with `precision` set; agreement: top-1 equal to fp32\'s on the test photos (imagenet/ and classic/).', '');
  lines.push('| model | backend | precision | file | size / fp32 | session creation | / fp32 | raw session.run | / fp32 | classify | / fp32 | cold, not cached | cold, cached | top-1 agreement with fp32 |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of precisionRows) {
    const ref = precisionRows.find((x) => x.model === r.model && x.backend === r.backend && x.precision === 'fp32');
    const agree = ref && r.photos ? `${r.top1.filter((c, i) => c === ref.top1[i]).length} / ${r.photos}` : '–';
    lines.push(`| ${r.model} | ${r.backend} | ${r.precision} | ${(r.bytes / 1e6).toFixed(2)} MB | ${ref ? (r.bytes / ref.bytes).toFixed(3) : '–'} | ` +
      `${ms(r.create)} | ${ratio(r.create, ref?.create ?? null)} | ${ms(r.raw)} | ${ratio(r.raw, ref?.raw ?? null)} | ${ms(r.classify)} | ${ratio(r.classify, ref?.classify ?? null)} | ` +
      `${ms(r.coldFresh)}${n(r.coldFresh)} | ${ms(r.coldCached)} | ${agree} |`);
  }
}
if (coldRows.length) lines.push(...coldStageLines(coldRows, coldProfile));
if (watchRows.length) {
  lines.push('', '## Live video (watch)', '',
    `\`classifier.watch\` for ${watchSeconds} s on a 30 fps \`canvas.captureStream()\` showing the classic photos in turn (1.5 s each), ` +
    'in the classifier\'s worker (the default) and on the page\'s thread (`worker: false`): frames classified per second, frames the video ' +
    'presented while a run was in flight (dropped, never queued), and the time from a frame\'s presentation to its result. On the page\'s ' +
    'thread a run blocks the page, so the canvas itself is drawn (and captured) less often: fewer frames reach the video.', '');
  lines.push('| model | backend | path | classified fps | frames classified | frames dropped | dropped share | latency (median) | one classify |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  for (const r of watchRows) {
    const share = r.frames + r.dropped ? `${((100 * r.dropped) / (r.frames + r.dropped)).toFixed(0)} %` : '–';
    lines.push(`| ${r.model} | ${r.backend} | ${r.path} | ${r.fps.toFixed(1)} | ${r.frames} | ${r.dropped} | ${share} | ${ms(r.latency)} | ${r.run.toFixed(1)} ms |`);
  }
}
if (embedRows.length) {
  lines.push('', '## Embeddings (analyze)', '',
    '`classify(ImageBitmap)`, `analyze(ImageBitmap)` (labels and embedding from one run) and `embed(ImageBitmap)`, in the classifier\'s ' +
    'worker, taken in turns; the image as (b) above.', '');
  lines.push('| model | backend | embedding size | classify | analyze | analyze / classify | embed |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const r of embedRows) {
    lines.push(`| ${r.model} | ${r.backend} | ${r.size} | ${ms(r.classify)} | ${ms(r.analyze)} | ${ratio(r.analyze, r.classify)} | ${ms(r.embed)} |`);
  }
}
const table = lines.join('\n');
console.log(table);
mkdirSync(path.dirname(args.out!), { recursive: true });
writeFileSync(args.out!, `${table}\n`);
log(`\nwritten to ${path.relative(process.cwd(), args.out!)}`);
