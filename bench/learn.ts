/**
 * npm run bench:learn [-- --model mobilenetv2-int8] [--splits 20] [--no-sklearn] [--no-timing]
 *
 * How well `classifier.learn` learns, and how long it takes. In Chromium (WASM, the worker):
 * embeds the 1000 CIFAR-10 photos of test/data/images/cifar10 (100 per class) with the model,
 * then, in Node, for k = 10 and k = 50 photos per class and `--splits` random splits, trains the
 * SDK's head (src/output/head.ts, the code `learn` runs) on k photos per class and scores it on
 * the rest; beside it, scikit-learn's LogisticRegression on the same embeddings (Debian's
 * python3-sklearn): C chosen by 5-fold cross-validation on the training photos, and the best C on
 * the test photos (an oracle no learner has). Also the SDK's nearest-class-mean baseline and the
 * head's settings around the chosen ones. Then `learn` itself on 100 and 500 photos (page and
 * worker), its head's training time and the JSON's size. Figures only: nothing is asserted.
 */
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';
import { chromiumArgs, chromiumPath } from '../playwright.config.ts';
import { exampleCode, headLogits, trainHeadSync, unitVector, type Head } from '../src/output/head.ts';

const root = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'mobilenetv2-int8' },
    splits: { type: 'string', default: '20' },
    'no-sklearn': { type: 'boolean', default: false },
    'no-timing': { type: 'boolean', default: false },
    port: { type: 'string', default: '5195' },
  },
});
const log = (s: string) => process.stderr.write(`${s}\n`);
const IMAGES = path.join(root, 'test/data/images');
const out = path.join(root, 'bench/.dist/learn');
mkdirSync(out, { recursive: true });

const classes = readdirSync(path.join(IMAGES, 'cifar10')).sort();
const photos = classes.flatMap((c, k) => readdirSync(path.join(IMAGES, 'cifar10', c)).sort().map((f) => ({ url: `/test-images/cifar10/${c}/${f}`, y: k })));

const server = await createServer({ root, configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn', server: { port: Number(args.port), strictPort: true, hmr: false, watch: null } });
await server.listen();
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
const page = await browser.newPage();
await page.route('**/test-images/**', (route) => {
  const rel = decodeURIComponent(new URL(route.request().url()).pathname.replace(/^\/test-images\//, ''));
  return route.fulfill({ status: 200, body: readFileSync(path.join(IMAGES, rel)), headers: { 'content-type': 'image/jpeg', 'cross-origin-resource-policy': 'same-origin' } });
});
// tsx names the functions inside page.evaluate callbacks with its __name helper, which the page lacks.
await page.addInitScript('window.__name = (f) => f');
await page.goto(`http://localhost:${args.port}/e2e/harness.html`);
await page.waitForFunction(() => window.harnessReady === true);

// ---- the embeddings (cached per model) ------------------------------------------------------
const cacheFile = path.join(out, `${args.model}-cifar10.json`);
let embeddings: number[][];
if (existsSync(cacheFile)) embeddings = JSON.parse(readFileSync(cacheFile, 'utf8'));
else {
  log(`embedding ${photos.length} photos with ${args.model} (WASM, worker)…`);
  const t0 = Date.now();
  embeddings = await page.evaluate(
    async ({ model, urls }) => {
      const c = await window.sdk.createClassifier({ model, backend: 'wasm' });
      const all: number[][] = [];
      for (const u of urls) all.push(Array.from(await c.embed(u, { normalize: false })));
      await c.dispose();
      return all;
    },
    { model: args.model!, urls: photos.map((p) => p.url) },
  );
  log(`  ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  writeFileSync(cacheFile, JSON.stringify(embeddings));
}
// The same photos mirrored (left ↔ right), for the "flipped copies" variant.
const flipFile = path.join(out, `${args.model}-cifar10-flipped.json`);
let flipped: number[][];
if (existsSync(flipFile)) flipped = JSON.parse(readFileSync(flipFile, 'utf8'));
else {
  log('embedding the mirrored photos…');
  flipped = await page.evaluate(
    async ({ model, urls }) => {
      const c = await window.sdk.createClassifier({ model, backend: 'wasm' });
      const all: number[][] = [];
      for (const u of urls) {
        const img = new Image();
        img.src = u;
        await img.decode();
        const canvas = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
        const ctx = canvas.getContext('2d')!;
        ctx.scale(-1, 1);
        ctx.drawImage(img, -img.naturalWidth, 0);
        all.push(Array.from(await c.embed(ctx.getImageData(0, 0, canvas.width, canvas.height), { normalize: false })));
      }
      await c.dispose();
      return all;
    },
    { model: args.model!, urls: photos.map((p) => p.url) },
  );
  writeFileSync(flipFile, JSON.stringify(flipped));
}
const y = photos.map((p) => p.y);
const K = classes.length;

// ---- splits ----------------------------------------------------------------------------------
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}
/** k training photos per class (seeded shuffle of each class), the rest for testing. */
function split(k: number, seed: number): { train: number[]; test: number[] } {
  const r = rng(seed * 7919 + k);
  const train: number[] = [];
  const test: number[] = [];
  for (let c = 0; c < K; c++) {
    const idx = y.map((v, i) => (v === c ? i : -1)).filter((i) => i >= 0);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    train.push(...idx.slice(0, k));
    test.push(...idx.slice(k));
  }
  return { train, test };
}
const SPLITS = Number(args.splits);
const KS = [10, 50];
const splits = Object.fromEntries(KS.map((k) => [k, Array.from({ length: SPLITS }, (_, s) => split(k, s))]));

// ---- the SDK's head, and its settings around the chosen ones --------------------------------
const codes = embeddings.map((e) => exampleCode(e));
/** The plain L2-normalized embedding as an int8 code (no power normalization), for the variant. */
const plainCodes = embeddings.map((e) => {
  const max = Math.max(...e.map(Math.abs));
  return Int8Array.from(e, (v) => Math.round((v * 127) / max));
});
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const sd = (a: number[]) => Math.sqrt(mean(a.map((v) => (v - mean(a)) ** 2)));
const pct = (a: number[]) => `${(100 * mean(a)).toFixed(1)} % ± ${(100 * sd(a)).toFixed(1)}`;

/** The share of the `test` photos whose highest head score is their class. */
function testAccuracy(head: Head, which: Int8Array[], test: number[]): number {
  let right = 0;
  for (const i of test) {
    const z = headLogits(head, which[i]);
    if (z.indexOf(Math.max(...z)) === y[i]) right++;
  }
  return right / test.length;
}

function headAccuracy(k: number, C: number, which: Int8Array[], maxIterations?: number): { acc: number[]; ms: number[] } {
  const acc: number[] = [];
  const ms: number[] = [];
  for (const { train, test } of splits[k]) {
    const t0 = performance.now();
    const head = trainHeadSync(train.map((i) => which[i]), train.map((i) => y[i]), K, { C, maxIterations });
    ms.push(performance.now() - t0);
    acc.push(testAccuracy(head, which, test));
  }
  return { acc, ms };
}

/** The head trained on each training photo and its mirror image (twice the embedding work). */
function flippedAccuracy(k: number): number[] {
  const flipCodes = flipped.map((e) => exampleCode(e));
  return splits[k].map(({ train, test }) => {
    const head = trainHeadSync([...train.map((i) => codes[i]), ...train.map((i) => flipCodes[i])], [...train, ...train].map((i) => y[i]), K);
    return testAccuracy(head, codes, test);
  });
}

function classMeanAccuracy(k: number): number[] {
  return splits[k].map(({ train, test }) => {
    const means = Array.from({ length: K }, () => new Float64Array(codes[0].length));
    for (const i of train) unitVector(plainCodes[i]).forEach((v, j) => (means[y[i]][j] += v));
    let right = 0;
    for (const i of test) {
      const u = unitVector(plainCodes[i]);
      const s = means.map((m) => m.reduce((acc, v, j) => acc + v * u[j], 0) / Math.hypot(...m));
      if (s.indexOf(Math.max(...s)) === y[i]) right++;
    }
    return right / test.length;
  });
}

const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  console.log(s);
};
say(`## learn: ${args.model} embeddings (${embeddings[0].length} values) of the ${photos.length} CIFAR-10 photos, ${SPLITS} splits`);
say('');
say('| learner | k = 10 per class | k = 50 per class |');
say('|---|---|---|');
const chosen = KS.map((k) => headAccuracy(k, 10, codes));
say(`| **SDK head (chosen: power norm, C = 10, ≤ 25 iterations)** | **${pct(chosen[0].acc)}** | **${pct(chosen[1].acc)}** |`);
for (const C of [0.1, 1, 100, 1000]) say(`| SDK head, C = ${C} | ${KS.map((k) => pct(headAccuracy(k, C, codes).acc)).join(' | ')} |`);
say(`| SDK head, no power norm, C = 10 | ${KS.map((k) => pct(headAccuracy(k, 10, plainCodes).acc)).join(' | ')} |`);
for (const it of [15, 40, 200]) {
  const r = KS.map((k) => headAccuracy(k, 10, codes, it));
  say(`| SDK head, at most ${it} iterations (chosen: 25) | ${r.map((x) => pct(x.acc)).join(' | ')} |`);
}
say(`| SDK head + mirrored copies of the training photos | ${KS.map((k) => pct(flippedAccuracy(k))).join(' | ')} |`);
say(`| nearest class mean (baseline) | ${KS.map((k) => pct(classMeanAccuracy(k))).join(' | ')} |`);

if (!args['no-sklearn']) {
  const data = path.join(out, 'sklearn-input.json');
  writeFileSync(data, JSON.stringify({ X: embeddings, y, splits }));
  const res = JSON.parse(execFileSync('/usr/bin/python3', [path.join(root, 'bench/learn-sklearn.py'), data], { encoding: 'utf8', maxBuffer: 1 << 26 })) as Record<
    string,
    { cv: number[]; oracle: number[]; cvC: number[] }
  >;
  say(`| scikit-learn LogisticRegression, C by 5-fold CV on the training photos | ${KS.map((k) => pct(res[k].cv)).join(' | ')} |`);
  say(`| scikit-learn, best C on the test photos (oracle) | ${KS.map((k) => pct(res[k].oracle)).join(' | ')} |`);
  say('');
  say(`Per split, SDK head − scikit-learn (CV): k = 10 ${pct(chosen[0].acc.map((a, i) => a - res[10].cv[i]))}, k = 50 ${pct(chosen[1].acc.map((a, i) => a - res[50].cv[i]))}; C chosen by CV: ${KS.map((k) => `k = ${k}: ${[...new Set(res[k].cvC)].join('/')}`).join(', ')}`);
}
say('');
say(`Head training in Node (this machine), median: k = 10 (100 photos) ${median(chosen[0].ms).toFixed(0)} ms, k = 50 (500 photos) ${median(chosen[1].ms).toFixed(0)} ms`);

// ---- learn() itself ----------------------------------------------------------------------------
if (!args['no-timing']) {
  say('');
  say('| learn(), WASM | photos | learn | of it: embedding | head | toJSON |');
  say('|---|---|---|---|---|---|');
  for (const worker of [true, false]) {
    for (const n of [100, 500]) {
      const per = n / K;
      const ex = Object.fromEntries(classes.map((c, k) => [c, photos.filter((p) => p.y === k).slice(0, per).map((p) => p.url)]));
      const r = await page.evaluate(
        async ({ model, ex, worker }) => {
          const c = await window.sdk.createClassifier({ model, backend: 'wasm', worker });
          // Warm: one embed, so that the first run's cost is not learn's.
          await c.embed(Object.values(ex)[0][0]);
          let embedded = 0;
          const t0 = performance.now();
          const learned = await c.learn(ex, { onProgress: (p) => p.done === p.total && (embedded = performance.now()) });
          const t1 = performance.now();
          const json = JSON.stringify(learned);
          await c.dispose();
          return { total: t1 - t0, embed: embedded - t0, head: t1 - embedded, json: json.length };
        },
        { model: args.model!, ex, worker },
      );
      say(`| ${worker ? 'worker' : 'page'} | ${n} | ${(r.total / 1000).toFixed(2)} s | ${(r.embed / 1000).toFixed(2)} s | ${r.head.toFixed(0)} ms | ${(r.json / 1024).toFixed(0)} KB |`);
    }
  }
}
function median(a: number[]): number {
  const s = [...a].sort((p, q) => p - q);
  return s[Math.floor(s.length / 2)];
}
writeFileSync(path.join(out, `results-${args.model}.md`), `${lines.join('\n')}\n`);
await browser.close();
await server.close();
