/**
 * The same checks in Chromium, Firefox and WebKit (engines/suite.js in the page; drivers.ts):
 * every ImageInput kind, worker on and off, cross-origin isolated and not, the bad inputs,
 * tagPhotos, a reload served from the model cache, the script tag's auto-tagging, and the Vite
 * consumer app built from the packed package (consumers/setup.ts). Chromium's results are the
 * baseline: labels equal, scores within 1e-5. Where an engine lacks WebGPU, backend 'auto' must
 * fall back to WASM and say why.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { serve, type Served } from '../consumers/serve.ts';
import { launch, type Engine, type EngineName } from './drivers.ts';
import { startServer, type SuiteServer } from './server.ts';

interface Top1 { label: string; index: number; score: number }
interface Failure { error: string; message: string }
interface Suite {
  fatal?: Failure;
  userAgent: string;
  isolated: boolean;
  features: Record<string, boolean>;
  auto: { backend: string; fallbackReason: string | null; top1: Top1 };
  backend: string;
  threads: number;
  threadsReason: string | null;
  cores: number;
  warnings: string[];
  inputs: Record<string, Top1 | Failure>;
  bad: Record<string, Failure | { ok: Top1 }>;
  tagPhotos: ({ label: string; score: number } | { error: string })[];
}

const ENGINES: EngineName[] = ['chromium', 'firefox', 'webkit'];
const COMBOS = [
  { worker: true, isolate: true },
  { worker: false, isolate: true },
  { worker: true, isolate: false },
  { worker: false, isolate: false },
];
const comboName = (c: (typeof COMBOS)[number]) => `worker ${c.worker ? 'on' : 'off'}, ${c.isolate ? 'cross-origin isolated' : 'not isolated'}`;
const PHOTO_INPUTS = ['url', 'img', 'canvas', 'offscreenCanvas', 'imageBitmap', 'imageData', 'blob', 'videoFrame', 'video'];
const MODEL_FILE = '/models/mobilenetv2-12-int8.onnx';
const SCORE_TOLERANCE = 1e-5;

let servers: { isolate: SuiteServer; plain: SuiteServer };
test.beforeAll(async () => {
  servers = { isolate: await startServer({ isolate: true }), plain: await startServer({ isolate: false }) };
});
test.afterAll(async () => {
  await servers?.isolate.close();
  await servers?.plain.close();
});

/** Chromium's suite results, by combo: the baseline of the other engines. */
const baseline = new Map<string, Suite>();
/** One line per engine × combo for the log (and the README's table). */
const summary: string[] = [];

async function runSuite(engine: Engine, combo: (typeof COMBOS)[number]) {
  const server = combo.isolate ? servers.isolate : servers.plain;
  const before = server.requests(MODEL_FILE);
  const run = `${Date.now()}`; // this page load's, not the page before it
  await engine.open(`${server.url}/engines/suite.html?worker=${combo.worker ? 1 : 0}&run=${run}`);
  // A suite that never finishes fails in 150 s, saying where it stopped (not the driver's timeout, which names nothing).
  const suite = await engine.evaluate<Suite>(`(async () => {
    while (!(location.search.includes('run=${run}') && window.suite)) await new Promise((r) => setTimeout(r, 50));
    const late = new Promise((r) => setTimeout(() => r({ fatal: { error: 'TIMEOUT', message: 'no result in 150 s; it stopped at: ' + window.suiteStep } }), 150000));
    return Promise.race([window.suite, late]);
  })()`);
  return { suite, modelRequests: server.requests(MODEL_FILE) - before };
}

async function chromiumBaseline(combo: (typeof COMBOS)[number]): Promise<Suite> {
  const key = comboName(combo);
  if (!baseline.has(key)) {
    const chromium = await launch('chromium');
    try {
      baseline.set(key, (await runSuite(chromium, combo)).suite);
    } finally {
      await chromium.close();
    }
  }
  return baseline.get(key)!;
}

for (const name of ENGINES) {
  test.describe(name, () => {
    // WebKitGTK under WebKitWebDriver fails now and then for no reason found in the SDK: measured
    // here, 2 of 8 runs of this group (and 1 CI run) had one failure, each time a different test:
    // a model load that traps inside WebAssembly ("RuntimeError: Out of bounds memory access"), or
    // "WebDriverError: Could not parse script result". A script opening the same pages in the same
    // order never failed (0 of 36 app loads). So WebKit's group runs again once, in a fresh
    // browser; a failure that repeats still fails, and the list shows the retry.
    test.describe.configure({ mode: 'serial', retries: name === 'webkit' ? 1 : 0 });
    let engine: Engine;
    test.beforeAll(async () => {
      engine = await launch(name);
      console.log(`${name}: ${engine.version}`);
    });
    test.afterAll(async () => engine?.close());

    COMBOS.forEach((combo, i) => {
      const secondOnOrigin = i % 2 === 1; // the combo before it loaded the same origin in this browser
      test(`every input kind, bad inputs, tagPhotos${secondOnOrigin ? ', model from the cache' : ''}: ${comboName(combo)}`, async () => {
        const { suite, modelRequests } = await runSuite(engine, combo);
        expect(suite.fatal, JSON.stringify(suite.fatal)).toBeUndefined();
        if (name === 'chromium') baseline.set(comboName(combo), suite);
        const base = await chromiumBaseline(combo);
        summary.push(
          `${name} | ${comboName(combo)} | auto → ${suite.auto.backend}${suite.auto.fallbackReason ? ` (${suite.auto.fallbackReason})` : ''} | ` +
            `WASM threads ${suite.threads}${suite.features.sharedArrayBuffer ? '' : ' (no SharedArrayBuffer)'} | inputs ${Object.values(suite.inputs).filter((r) => 'label' in r).length}/${Object.keys(suite.inputs).length} | ` +
            `model downloads ${modelRequests}`,
        );
        console.log(summary[summary.length - 1]);

        expect(suite.isolated).toBe(combo.isolate);
        expect(suite.backend).toBe('wasm');
        // WASM threads need cross-origin isolation and SharedArrayBuffer; without them, one thread
        // (WebKitGTK is isolated but has no SharedArrayBuffer global: onnxruntime-web runs one).
        if (combo.isolate && suite.features.sharedArrayBuffer) expect(suite.threads).toBeGreaterThan(1);
        else expect(suite.threads).toBe(1);
        // No silent slowdown: threadsReason says why WASM has fewer threads than cores, and the page
        // (worker off: the classifier runs in it) was warned once.
        if (suite.threads >= suite.cores) expect(suite.threadsReason).toBeNull();
        else if (!combo.isolate) expect(suite.threadsReason).toMatch(/not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp/);
        else expect(suite.threadsReason).toMatch(/no SharedArrayBuffer/);
        if (!combo.worker) {
          const said = suite.warnings.filter((w) => w.startsWith('[resnet-web] WASM runs on'));
          expect(said).toEqual(suite.threadsReason ? [`[resnet-web] ${suite.threadsReason}`] : []);
        }
        // No WebGPU in this engine: 'auto' runs WASM and says why.
        if (!suite.features.webgpu) {
          expect(suite.auto.backend).toBe('wasm');
          expect(suite.auto.fallbackReason).toMatch(/no WebGPU/);
        }
        expect(suite.auto.top1.label).toBe('Samoyed');

        for (const input of PHOTO_INPUTS) {
          const got = suite.inputs[input] as Top1;
          const want = base.inputs[input] as Top1;
          expect(got, `${input}: ${JSON.stringify(got)}`).toMatchObject({ label: 'Samoyed', index: 258 });
          expect(Math.abs(got.score - want.score), `${input} score vs Chromium`).toBeLessThanOrEqual(SCORE_TOLERANCE);
        }
        // An SVG is rasterized by each engine's own anti-aliasing: the label must agree, not the score.
        expect((suite.inputs.svg as Top1).label).toBe((base.inputs.svg as Top1).label);

        // The same error codes as Chromium for every bad input.
        const codes = (s: Suite) => Object.fromEntries(Object.entries(s.bad).map(([k, v]) => [k, 'error' in v ? v.error : 'classified']));
        expect(codes(suite)).toEqual(codes(base));
        expect(codes(suite)).toEqual({
          truncated: 'INVALID_IMAGE', notAnImage: 'INVALID_IMAGE', emptyFile: 'INVALID_IMAGE', missingUrl: 'INVALID_IMAGE',
          zeroSizeCanvas: 'INVALID_IMAGE', notAnImageObject: 'TypeError', afterDispose: 'DISPOSED', wrongModelFile: 'MODEL_LOAD_FAILED',
        });

        expect(suite.tagPhotos.map((t) => ('error' in t ? t.error : t.label))).toEqual(['Samoyed', 'INVALID_IMAGE', 'binoculars']);
        suite.tagPhotos.forEach((t, k) => {
          const b = base.tagPhotos[k];
          if ('score' in t && 'score' in b) expect(Math.abs(t.score - b.score)).toBeLessThanOrEqual(SCORE_TOLERANCE);
        });

        // The model file: downloaded on an origin's first page, then served from Cache Storage.
        // WebKitGTK driven by WebKitWebDriver keeps no Cache Storage entry across a navigation
        // (its automation session's storage; README): there every page load downloads.
        if (secondOnOrigin && name !== 'webkit') expect(modelRequests, 'model downloads on a reload (Cache Storage)').toBe(0);
        else expect(modelRequests).toBeGreaterThanOrEqual(1);
      });
    });

    test('the script tag tags an <img data-classify>', async () => {
      await engine.open(`${servers.plain.url}/engines/script-tag.html`);
      const tagged = await engine.evaluate<{ label: string; score: number }>(`(async () => {
        const img = document.getElementById('tagged');
        const t0 = performance.now();
        while (!img.dataset.label) {
          if (performance.now() - t0 > 120000) throw new Error('not tagged in 120 s');
          await new Promise((r) => setTimeout(r, 100));
        }
        return { label: img.dataset.label, score: JSON.parse(img.dataset.predictions)[0].score };
      })()`);
      expect(tagged.label).toBe('Samoyed');
      const base = (await chromiumBaseline(COMBOS[2])).inputs.url as Top1;
      expect(Math.abs(tagged.score - base.score)).toBeLessThanOrEqual(SCORE_TOLERANCE);
    });

    test('the Vite consumer app (packed package, vite build), worker on and off', async () => {
      const dist = path.resolve(import.meta.dirname, '../consumers/vite/dist');
      expect(existsSync(dist), 'consumers/vite/dist: run with consumers/playwright.config.ts (its setup builds the app)').toBe(true);
      let app: Served | undefined;
      try {
        app = await serve([dist], { isolate: true });
        const base = (await chromiumBaseline(COMBOS[0])).inputs.url as Top1;
        for (const query of ['', '?worker=off']) {
          await engine.open(`${app.url}/${query}`);
          const outcome = await engine.evaluate<{ label?: string; score?: number; backend?: string; threads?: number; error?: string; sharedArrayBuffer: boolean }>(`(async () => {
            const t0 = performance.now();
            while (!window.outcome) {
              if (performance.now() - t0 > 120000) throw new Error('no outcome in 120 s');
              await new Promise((r) => setTimeout(r, 100));
            }
            return { ...window.outcome, sharedArrayBuffer: typeof SharedArrayBuffer === 'function' };
          })()`);
          expect(outcome.error, `${query}: ${outcome.error}`).toBeUndefined();
          expect(outcome).toMatchObject({ label: 'Samoyed', backend: 'wasm' });
          if (outcome.sharedArrayBuffer) expect(outcome.threads).toBeGreaterThan(1);
          else expect(outcome.threads).toBe(1);
          expect(Math.abs(outcome.score! - base.score)).toBeLessThanOrEqual(SCORE_TOLERANCE);
        }
      } finally {
        await app?.close();
      }
    });
  });
}

test.afterAll(() => {
  if (summary.length) console.log(`\nengine | combo | backend 'auto' | WASM threads | inputs classified | model downloads\n${summary.join('\n')}`);
});
