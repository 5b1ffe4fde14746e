/**
 * dist/ (npm run build) on a plain static server: the script tag with auto-tagging, and the
 * ES module, with no bundler and no COOP/COEP headers; and the same under a strict CSP.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type {} from '../src/iife.ts'; // window.ResNetWeb's type
import { staticPort } from '../playwright.config.ts';
import { expect, serveImages, test } from './fixtures.ts';

const base = `http://localhost:${staticPort}`;
const dist = path.resolve(import.meta.dirname, '../dist');

test('script tag: lazy, tags <img data-classify> now and later, fires classified / classifyerror', async ({ page }) => {
  await serveImages(page);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(`${base}/e2e/pages/script-tag.html`);
  await page.waitForFunction(() => !!window.ResNetWeb);
  await page.waitForTimeout(300);
  // Lazy: the page loaded, the global exists, and neither the runtime nor a model was fetched.
  expect(requests.filter((u) => /\/ort\/|\.onnx$|labels\.json$/.test(u))).toEqual([]);

  const r = await page.evaluate(async () => {
    const events: { src: string; type: string; detail: unknown }[] = [];
    for (const type of ['classified', 'classifyerror']) {
      document.addEventListener(type, (e) => events.push({ src: (e.target as HTMLImageElement).src.split('/').pop()!, type, detail: (e as CustomEvent).detail }));
    }
    const add = (src: string, alt?: string) => {
      const img = document.createElement('img');
      img.dataset.classify = '';
      if (alt !== undefined) img.alt = alt;
      img.src = src;
      document.body.append(img);
      return img;
    };
    const mug = add('/test-images/classic/trt5-mug-cc0.jpeg');
    const dog = add('/test-images/classic/pytorch-hub-dog.jpg', 'my dog');
    const bad = add('/test-images/edge/not-an-image.jpg');
    const plain = document.createElement('img'); // no data-classify: left alone
    plain.src = '/test-images/classic/trt5-binoculars.jpeg';
    document.body.append(plain);
    await new Promise<void>((res) => {
      const t = setInterval(() => events.length >= 3 && (clearInterval(t), res()), 50);
    });
    return {
      events,
      mug: { label: mug.dataset.label, alt: mug.alt, predictions: JSON.parse(mug.dataset.predictions ?? '[]') },
      dog: { label: dog.dataset.label, alt: dog.alt },
      bad: { label: bad.dataset.label },
      plain: plain.dataset.label ?? null,
      api: Object.keys(window.ResNetWeb).sort(),
      direct: (await window.ResNetWeb.classify('/test-images/classic/trt5-binoculars.jpeg'))[0].label,
    };
  });
  expect(r.mug.label).toBe('coffee mug');
  expect(r.mug.alt).toBe('coffee mug'); // an empty alt gets the top label
  expect(r.mug.predictions).toHaveLength(5);
  expect(r.dog.label).toBe('Samoyed');
  expect(r.dog.alt).toBe('my dog'); // a given alt is kept
  expect(r.bad.label).toBeUndefined();
  expect(r.plain).toBeNull();
  const byImage = Object.fromEntries(r.events.map((e) => [e.src, e]));
  expect(byImage['trt5-mug-cc0.jpeg'].type).toBe('classified');
  expect((byImage['trt5-mug-cc0.jpeg'].detail as { label: string }[])[0].label).toBe('coffee mug');
  expect(byImage['not-an-image.jpg']).toMatchObject({ type: 'classifyerror', detail: { code: 'INVALID_IMAGE' } });
  expect(r.api).toEqual(expect.arrayContaining(['ClassifierError', 'MODELS', 'classify', 'createClassifier', 'tagPhotos', 'tagsToCSV', 'tagsToJSON']));
  expect(r.direct).toBe('binoculars');
  // The runtime came from dist/ort/ (no CDN), and only the WASM build was needed.
  expect(requests.filter((u) => u.includes('/ort/'))).toEqual(['/dist/ort/ort.wasm.bundle.min.mjs', '/dist/ort/ort-wasm-simd-threaded.wasm']);
});

test('ES module from dist/ with no bundler', async ({ page }) => {
  await serveImages(page);
  await page.goto(`${base}/e2e/pages/module.html`);
  const result = await page.waitForFunction(() => (window as unknown as { result?: { label: string }[] }).result, null, { timeout: 60_000 });
  const top = (await result.jsonValue()) as { label: string }[];
  expect(top[0].label).toBe('binoculars');
});

test('dist/ has no eval or new Function (onnxruntime-web\'s WebGPU build is patched at build time)', () => {
  // Everything a page can load; esm/tools/ort-csp.js, esm/vite.js, esm/cli.js and esm/tools/models-command.js run in the app's build
  // or in Node (the patch itself names what it removes).
  const buildTools = ['esm/tools/ort-csp.js', 'esm/vite.js', 'esm/cli.js', 'esm/tools/models-command.js'];
  const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(m?js)$/.test(f) && !buildTools.includes(f));
  expect(files).toEqual(expect.arrayContaining([
    'resnet-web.js', 'resnet-web.iife.js', 'resnet-web.worker.js', 'esm/index.js', 'esm/worker/worker.js', 'esm/runtime/session.js',
    'ort/ort.webgpu.bundle.min.mjs', 'ort/ort.wasm.bundle.min.mjs', 'ort/ort-wasm-simd-threaded.asyncify.mjs', 'ort/ort-wasm-simd-threaded.mjs',
  ]));
  const found = files.flatMap((f) => {
    const code = readFileSync(path.join(dist, f), 'utf8');
    return [...code.matchAll(/\bnew Function\b|(?<![\w.$])eval\s*\(|(?<![\w.$])Function\s*\(\s*["'`]/g)].map((m) => `${f}: ${code.slice(m.index - 40, m.index + 40)}`);
  });
  expect(found).toEqual([]);
});

test('under a strict Content-Security-Policy (script-src \'self\' \'wasm-unsafe-eval\', no inline script): script tag, module, worker, WebGPU', async ({ page }) => {
  await serveImages(page);
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  const response = await page.goto(`${base}/csp/e2e/pages/csp.html`);
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp).not.toMatch(/'unsafe-eval'|'unsafe-inline'/);
  // The script tag auto-tags the page's image.
  await page.waitForFunction(() => document.querySelector<HTMLImageElement>('#tagged')?.dataset.label, null, { timeout: 120_000 });
  const tagged = await page.evaluate(() => document.querySelector<HTMLImageElement>('#tagged')!.dataset.label);
  await page.waitForFunction(() => 'csp' in window);
  const run = (options: object) =>
    page.evaluate((options) => (window as unknown as { csp: { run(o: object): Promise<{ backend: string; threads: number; label: string }> } }).csp.run(options), options);
  const results = {
    workerWasm: await run({ model: 'mobilenetv2-int8', backend: 'wasm' }),
    mainWasm: await run({ model: 'mobilenetv2-int8', backend: 'wasm', worker: false }),
    workerWebgpu: await run({ model: 'mobilenetv2-int8', backend: 'webgpu' }),
    mainWebgpu: await run({ model: 'mobilenetv2-int8', backend: 'webgpu', worker: false }),
  };
  const violations = await page.evaluate(() => (window as unknown as { csp: { violations: string[] } }).csp.violations);
  console.log(JSON.stringify({ tagged, results, violations, consoleErrors }));
  expect(tagged).toBe('coffee mug');
  expect(results.workerWasm).toMatchObject({ backend: 'wasm', label: 'binoculars' });
  expect(results.workerWasm.threads).toBeGreaterThan(1); // cross-origin isolated: WASM threads start under the policy
  expect(results.mainWasm).toMatchObject({ backend: 'wasm', label: 'binoculars' });
  expect(results.workerWebgpu).toMatchObject({ backend: 'webgpu', label: 'binoculars' });
  expect(results.mainWebgpu).toMatchObject({ backend: 'webgpu', label: 'binoculars' });
  expect(violations).toEqual([]);
  expect(consoleErrors.filter((e) => /Content Security Policy|EvalError|unsafe-eval/i.test(e))).toEqual([]);
});

test("a policy without 'wasm-unsafe-eval': BACKEND_UNAVAILABLE that leads with the CSP and its fix, worker on and off", async ({ page }) => {
  await serveImages(page);
  const response = await page.goto(`${base}/csp-no-wasm/e2e/pages/csp.html`);
  expect(response?.headers()['content-security-policy']).not.toContain('wasm-unsafe-eval');
  await page.waitForFunction(() => 'csp' in window);
  const fail = (options: object) =>
    page.evaluate(
      (options) =>
        (window as unknown as { csp: { run(o: object): Promise<unknown> } }).csp.run(options).then(
          () => 'loaded',
          (e: { code?: string; message: string }) => `${e.code}: ${e.message}`,
        ),
      options,
    );
  for (const worker of [false, true]) {
    const message = await fail({ model: 'resnet20-cifar10', backend: 'wasm', worker });
    expect(message, `worker ${worker}`).toMatch(
      /^BACKEND_UNAVAILABLE: The page's Content-Security-Policy stopped the classifier: it blocked WebAssembly: add 'wasm-unsafe-eval' to its script-src/,
    );
  }
});

test('script tag with data-precision="int8": loads the int8 file, not the fp32 one', async ({ page }) => {
  await serveImages(page);
  const models: string[] = [];
  const scripts: string[] = [];
  page.on('request', (r) => r.url().endsWith('.onnx') && models.push(new URL(r.url()).pathname));
  page.on('request', (r) => r.url().endsWith('.js') && scripts.push(new URL(r.url()).pathname));
  await page.goto(`${base}/e2e/pages/script-tag-precision.html`);
  await expect(page.locator('img[data-label]')).toHaveAttribute('data-label', /\w/, { timeout: 60_000 });
  expect(models).toEqual(['/public/models/resnet56-cifar10.int8.onnx']);
  expect(scripts).not.toContain('/dist/resnet-web.wordnet.js'); // no groups: the WordNet table is not fetched
});

test('script tag: data-groups gives each image coarse WordNet categories', async ({ page }) => {
  await serveImages(page);
  const scripts: string[] = [];
  page.on('request', (r) => r.url().endsWith('.js') && scripts.push(new URL(r.url()).pathname));
  await page.goto(`${base}/e2e/pages/script-tag-groups.html`);
  const imgs = page.locator('img[data-classify]');
  await expect(imgs.nth(0)).toHaveAttribute('data-label', 'dog', { timeout: 60_000 });
  await expect(imgs.nth(1)).toHaveAttribute('data-label', 'container', { timeout: 60_000 });
  const predictions = JSON.parse((await imgs.nth(0).getAttribute('data-predictions'))!) as { label: string; index: number; synset: string; top: { label: string } }[];
  expect(predictions.map((p) => p.label).sort()).toEqual(['cat', 'container', 'dog', 'musical instrument']);
  expect(predictions[0]).toMatchObject({ label: 'dog', index: -1, synset: 'n02084071', top: { label: 'Samoyed' } });
  expect(await imgs.nth(0).getAttribute('alt')).toBe('dog');
  // The table comes from beside the bundle, once the first group is needed (in the classifier's worker).
  expect(scripts).toContain('/dist/resnet-web.wordnet.js');
});
