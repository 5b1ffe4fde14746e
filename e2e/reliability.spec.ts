/**
 * Issue 7: every bad input, fault and misuse gets the exact ClassifierError code (or the right
 * recovery); nothing leaks, nothing hangs. Model errors already covered by api.spec.ts (404,
 * sha256 mismatch, wrong input shape, wrong class count) are not repeated here.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, IMAGES, listImages, MODELS_DIR, test } from './fixtures.ts';

const SHIP = '/test-images/cifar10/ship/0003.jpg';
type Outcome = { ok: true; label: string } | { ok: false; name: string; code?: string; message: string };

test.describe.configure({ timeout: 5 * 60_000 });

/**
 * A photo on a second origin (127.0.0.1 beside localhost) that allows embedding (CORP) but sends
 * no CORS header: it loads in an <img>, and its pixels cannot be read. Returns its URL.
 */
async function serveCrossOrigin(page: Page): Promise<string> {
  await page.route('http://127.0.0.1:*/cross-origin/**', (route) =>
    route.fulfill({
      body: readFileSync(path.join(IMAGES, 'classic/trt5-mug-cc0.jpeg')),
      headers: { 'content-type': 'image/jpeg', 'cross-origin-resource-policy': 'cross-origin' },
    }),
  );
  return `http://127.0.0.1:${new URL(page.url()).port}/cross-origin/mug.jpg`;
}

for (const worker of [true, false]) {
  test(`bad images (${worker ? 'worker' : 'main thread'}): each rejects with INVALID_IMAGE or TypeError, good ones classify`, async ({ harness }) => {
    const crossOrigin = await serveCrossOrigin(harness);
    const r = await harness.evaluate(
      async ({ worker, crossOrigin, SHIP }) => {
        const c = await window.sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'wasm', worker });
        const outcome = (p: Promise<{ label: string }[]>): Promise<Outcome> =>
          p.then(
            (preds) => ({ ok: true as const, label: preds[0].label }),
            (e: Error & { code?: string }) => ({ ok: false as const, name: e.name, code: e.code, message: e.message }),
          );
        const load = async (img: HTMLImageElement, src: string) => {
          img.src = src;
          await img.decode().catch(() => undefined);
          return img;
        };
        const svg = (attrs: string) =>
          `<svg xmlns="http://www.w3.org/2000/svg" ${attrs} viewBox="0 0 10 10"><rect width="10" height="10" fill="#36c"/></svg>`;
        const canvas = (w: number, h: number) => {
          const cv = document.createElement('canvas');
          cv.width = w;
          cv.height = h;
          const ctx = cv.getContext('2d')!;
          ctx.fillStyle = '#4a8';
          ctx.fillRect(0, 0, w, h);
          return cv;
        };
        const closedBitmap = await createImageBitmap(canvas(8, 8));
        closedBitmap.close();
        const closedFrame = new VideoFrame(canvas(8, 8), { timestamp: 0 });
        closedFrame.close();
        const noFrameVideo = document.createElement('video'); // no source: readyState 0
        const unloaded = new Image();
        unloaded.src = SHIP; // not awaited: classify waits for it

        const cases: Record<string, () => Promise<{ label: string }[]>> = {
          'empty file': () => c.classify(new Blob([], { type: 'image/jpeg' })),
          'truncated JPEG': () => c.classify('/test-images/edge/truncated.jpg'),
          'text named .jpg': () => c.classify('/test-images/edge/not-an-image.jpg'),
          'SVG without size (Blob)': () => c.classify(new Blob([svg('')], { type: 'image/svg+xml' })),
          'SVG without size (<img>)': async () => c.classify(await load(new Image(), `data:image/svg+xml,${encodeURIComponent(svg(''))}`)),
          'SVG with size (Blob)': () => c.classify(new Blob([svg('width="64" height="48"')], { type: 'image/svg+xml' })),
          'SVG with size (data: URL)': () => c.classify(`data:image/svg+xml,${encodeURIComponent(svg('width="64" height="48"'))}`),
          '0×0 canvas': () => c.classify(canvas(0, 0)),
          '1×1 canvas': () => c.classify(canvas(1, 1)),
          'cross-origin <img> without CORS': async () => c.classify(await load(new Image(), crossOrigin)),
          'broken <img>': async () => c.classify(await load(new Image(), '/test-images/edge/not-an-image.jpg')),
          '<img> not yet loaded': () => c.classify(unloaded),
          'closed ImageBitmap': () => c.classify(closedBitmap),
          'closed VideoFrame': () => c.classify(closedFrame),
          '<video> with no frame yet': () => c.classify(noFrameVideo),
          'number': () => c.classify(42 as never),
          'plain object': () => c.classify({ width: 1, height: 1 } as never),
          'null': () => c.classify(null as never),
        };
        const out: Record<string, Outcome> = {};
        for (const [name, run] of Object.entries(cases)) out[name] = await outcome(run());
        // Still usable after all that.
        out['after the bad inputs'] = await outcome(c.classify(SHIP));
        await c.dispose();
        return out;
      },
      { worker, crossOrigin, SHIP },
    );
    for (const [name, o] of Object.entries(r)) console.log(`${name}: ${o.ok ? `ok (${o.label})` : `${o.code ?? o.name}: ${o.message}`}`);
    const invalid = (name: string, message: RegExp) => {
      const o = r[name];
      expect(o.ok, name).toBe(false);
      if (!o.ok) {
        expect(o.code, name).toBe('INVALID_IMAGE');
        expect(o.message, name).toMatch(message);
      }
    };
    invalid('empty file', /empty \(0 bytes\)/);
    invalid('truncated JPEG', /not a decodable image, or is truncated/);
    invalid('text named .jpg', /not a decodable image/);
    invalid('SVG without size (Blob)', /SVG without width and height/);
    invalid('SVG without size (<img>)', /SVG without width and height/);
    invalid('0×0 canvas', /no pixels \(0×0\)/);
    invalid('cross-origin <img> without CORS', /cross-origin without CORS.*crossOrigin = "anonymous"/);
    invalid('broken <img>', /could not be loaded or decoded/);
    invalid('closed ImageBitmap', /closed ImageBitmap/);
    invalid('closed VideoFrame', /closed VideoFrame/);
    invalid('<video> with no frame yet', /no frame yet.*loadeddata/);
    for (const name of ['number', 'plain object', 'null']) {
      expect(r[name], name).toMatchObject({ ok: false, name: 'TypeError' });
      if (!r[name].ok) expect(r[name].message).toMatch(/^classify\(image\): unsupported image of type/);
    }
    for (const name of ['SVG with size (Blob)', 'SVG with size (data: URL)', '1×1 canvas', '<img> not yet loaded', 'after the bad inputs']) {
      expect(r[name].ok, name).toBe(true);
    }
    expect(r['<img> not yet loaded']).toEqual({ ok: true, label: 'ship' });
  });
}

test('a cross-origin image without CORS on the WebGPU path: INVALID_IMAGE with the crossOrigin hint', async ({ harness }) => {
  const url = await serveCrossOrigin(harness);
  const r = await harness.evaluate(async ({ url, SHIP }) => {
    const c = await window.sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'webgpu', worker: false });
    const img = new Image();
    img.src = url;
    await img.decode();
    const err = await c.classify(img).catch((e) => ({ code: e.code, message: e.message }));
    const after = (await c.classify(SHIP))[0].label;
    await c.dispose();
    return { backend: c.backend, err, after };
  }, { url, SHIP });
  expect(r.backend).toBe('webgpu');
  expect(r.err).toMatchObject({ code: 'INVALID_IMAGE', message: expect.stringMatching(/crossOrigin = "anonymous"/) });
  expect(r.after).toBe('ship');
});

test('a 10000×8000 photo: read in bands (no 189 MB copy), same tensor as reading it whole, right class on WASM and WebGPU', async ({ harness }) => {
  const r = await harness.evaluate(async () => {
    const spec = window.sdk.MODELS['mobilenetv2-int8'];
    const photo = await createImageBitmap(await (await fetch('/test-images/classic/pytorch-hub-dog.jpg')).blob());
    const big = new OffscreenCanvas(10000, 8000);
    big.getContext('2d')!.drawImage(photo, 0, 0, 10000, 8000);
    const t0 = performance.now();
    const blob = await big.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    const encodeMs = performance.now() - t0;

    // The pixels as classify reads them: in bands.
    const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
    const banded = await window.sdk.toPixels(bitmap, undefined, spec);
    const bandBytes = banded.bands ? banded.bands.rows * banded.width * 4 : banded.data.length;
    const t1 = performance.now();
    const fromBands = window.sdk.preprocess(banded, spec);
    const bandedMs = performance.now() - t1;
    // The same window read whole, as before (the reference for exactness).
    const whole = window.sdk.bitmapPixels(bitmap, banded.window, Infinity);
    const fromWhole = window.sdk.preprocess(whole, spec);
    let maxDiff = 0;
    for (let i = 0; i < fromWhole.length; i++) maxDiff = Math.max(maxDiff, Math.abs(fromWhole[i] - fromBands[i]));
    const windowBytes = whole.data.length;
    bitmap.close();

    const c = await window.sdk.createClassifier({ model: 'mobilenetv2-int8', backend: 'wasm' });
    const t2 = performance.now();
    const top = (await c.classify(blob))[0];
    const classifyMs = performance.now() - t2;
    const small = (await c.classify(photo))[0];
    await c.dispose();
    // On WebGPU the photo is wider than a texture can be: it takes the banded CPU path, then the GPU.
    const g = await window.sdk.createClassifier({ model: 'mobilenetv2-int8', backend: 'webgpu', worker: false });
    const maxTexture = (await (await window.sdk.ortWebgpu()).env.webgpu.device).limits.maxTextureDimension2D;
    const gpuTop = (await g.classify(blob))[0];
    await g.dispose();
    return { blobMB: blob.size / 2 ** 20, encodeMs, bandBytes, windowBytes, bandRows: banded.bands?.rows, maxDiff, bandedMs, classifyMs, top, small, maxTexture, gpuTop };
  });
  console.log(JSON.stringify(r));
  expect(r.bandRows).toBeGreaterThan(0);
  expect(r.bandBytes).toBeLessThanOrEqual(16 * 2 ** 20); // one band at a time: ≤ 16 MB instead of the whole window
  expect(r.windowBytes).toBeGreaterThan(100 * 2 ** 20);
  expect(r.maxDiff).toBe(0);
  expect(r.top.index).toBe(r.small.index);
  expect(r.maxTexture).toBeLessThan(10000);
  expect(r.gpuTop.index).toBe(r.top.index);
  expect(r.gpuTop.score).toBeCloseTo(r.top.score, 3);
});

/** A server on another port that breaks model downloads in the ways real ones do. */
async function brokenModelServer(): Promise<{ server: Server; base: string }> {
  const model = readFileSync(path.join(MODELS_DIR, 'resnet20-cifar10.onnx'));
  const half = model.subarray(0, model.length >> 1);
  const server = createServer((req, res) => {
    const cors = { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin', 'content-type': 'application/octet-stream' };
    if (req.url === '/cut-with-length.onnx') {
      // Announces the whole file, sends half, then drops the connection.
      res.writeHead(200, { ...cors, 'content-length': model.length });
      res.write(half, () => setTimeout(() => res.socket?.destroy(), 50));
    } else if (req.url === '/cut-chunked.onnx') {
      // Chunked, without the final chunk: the connection drops mid-stream.
      res.writeHead(200, cors);
      res.write(half, () => setTimeout(() => res.socket?.destroy(), 50));
    } else if (req.url === '/short.onnx') {
      // A clean end after half the bytes (no length to check against): only the sha256 can tell.
      res.writeHead(200, { ...cors, 'content-length': half.length });
      res.end(half);
    } else if (req.url === '/error-page.onnx') {
      // A proxy's error page, served with a 200 and a binary type.
      res.writeHead(200, cors);
      res.end('<!doctype html><html><body><h1>Service unavailable</h1></body></html>');
    } else res.writeHead(404, cors).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('model faults: dropped downloads, error pages, bad labels, missing runtime files', async ({ harness }) => {
  const { server, base } = await brokenModelServer();
  await harness.route('**/models/html-page.onnx', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Not found</title><p>Sorry.</p>' }),
  );
  await harness.route(/\/models\/(nine-labels|cifar10-labels)\.json$/, (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(Array.from({ length: 9 }, (_, i) => `c${i}`)) }),
  );
  await harness.route('**/models/not-json.json', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"labels": ' }));
  try {
    const r = await harness.evaluate(async (base) => {
      const spec = window.sdk.MODELS['resnet20-cifar10'];
      const noSha = { ...spec, sha256: undefined };
      const fail = (options: Parameters<typeof window.sdk.createClassifier>[0]) =>
        window.sdk
          .createClassifier({ backend: 'wasm', cache: false, ...options })
          .then(async (c) => {
            await c.dispose();
            return { code: 'none', message: '' };
          })
          .catch((e) => ({ code: (e.code ?? e.name) as string, message: e.message as string }));
      return {
        cutWithLength: await fail({ model: { ...spec, url: `${base}/cut-with-length.onnx` } }),
        cutChunked: await fail({ model: { ...spec, url: `${base}/cut-chunked.onnx` } }),
        shortWithSha: await fail({ model: { ...spec, url: `${base}/short.onnx` } }),
        shortNoSha: await fail({ model: { ...noSha, url: `${base}/short.onnx` } }),
        htmlType: await fail({ model: { ...spec, url: 'html-page.onnx' } }),
        errorPageWithSha: await fail({ model: { ...spec, url: `${base}/error-page.onnx` } }),
        errorPageNoSha: await fail({ model: { ...noSha, url: `${base}/error-page.onnx` } }),
        // Labels of the wrong length: a full spec's, and a registry model's labels file.
        labelsLength: await fail({ model: { ...spec, labels: 'nine-labels.json' } }),
        registryLabelsLength: await fail({ model: 'resnet20-cifar10' }),
        labelsNotJson: await fail({ model: { ...spec, labels: 'not-json.json' } }),
        wasmMissing: await fail({
          model: { ...spec, labels: Array.from({ length: 10 }, (_, i) => `c${i}`) },
          worker: false,
          wasmPaths: '/no-such-folder/',
        }),
      };
    }, base);
    for (const [k, v] of Object.entries(r)) if (v) console.log(`${k}: ${JSON.stringify(v)}`);
    expect(r.cutWithLength).toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/broke off after \d+ bytes/) });
    expect(r.cutChunked).toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/broke off after \d+ bytes/) });
    expect(r.shortWithSha).toMatchObject({ code: 'MODEL_INTEGRITY', message: expect.stringMatching(/does not match its sha256/) });
    expect(r.shortNoSha).toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/not a valid ONNX file/) });
    expect(r.htmlType).toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/HTML page, not a model file/) });
    expect(r.errorPageWithSha.code).toBe('MODEL_INTEGRITY');
    expect(r.errorPageNoSha).toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/not a valid ONNX file/) });
    expect(r.labelsLength).toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/the labels list 9 classes, the model has 10 outputs/) });
    expect(r.registryLabelsLength).toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/list 9 classes; resnet20-cifar10 has 10/) });
    expect(r.labelsNotJson).toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/could not load the labels/) });
    expect(r.wasmMissing).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.stringMatching(/onnxruntime-web could not start/) });
  } finally {
    server.close();
  }
});

test('the sha256 is checked before the bytes reach onnxruntime-web: a mismatch never gets to a session', async ({ page, harness }) => {
  const requests: string[] = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  const r = await harness.evaluate(async () => {
    // Every model onnxruntime-web is asked to open, by size (the runtime itself starts beside the download).
    const ort = await window.sdk.ortWasm();
    const opened: number[] = [];
    const create = ort.InferenceSession.create.bind(ort.InferenceSession) as (m: Uint8Array, o?: object) => ReturnType<typeof ort.InferenceSession.create>;
    Object.assign(ort.InferenceSession, {
      create: (m: Uint8Array, o?: object) => (opened.push(m.byteLength), create(m, o)),
    });
    try {
      const size = (await (await fetch('/models/resnet20-cifar10.onnx')).arrayBuffer()).byteLength;
      const code = await window.sdk
        .createClassifier({ model: { ...window.sdk.MODELS['resnet20-cifar10'], sha256: 'f'.repeat(64) }, backend: 'wasm', worker: false, cache: false })
        .then(() => 'none', (e) => e.code);
      return { code, size, opened };
    } finally {
      Object.assign(ort.InferenceSession, { create });
    }
  });
  expect(r.code).toBe('MODEL_INTEGRITY');
  expect(requests.filter((u) => u.endsWith('resnet20-cifar10.onnx')).length).toBeGreaterThanOrEqual(1);
  expect(r.opened.every((n) => n < r.size / 100)).toBe(true); // only the runtime's tiny start-up and memory models
  expect(r.opened).not.toContain(r.size);
});

test('a batch too large for the WASM heap: INFERENCE_FAILED, and the classifier still works', async ({ harness }) => {
  const r = await harness.evaluate(async (SHIP) => {
    // 40000 CIFAR images at once: a 491 MB input and activations past WebAssembly's 4 GB.
    const c = await window.sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm' });
    const huge = await c.classifyBatch(Array(40_000).fill(new ImageData(32, 32))).then(
      (p) => ({ code: 'none', message: `${p.length} results` }),
      (e) => ({ code: e.code as string, message: e.message as string }),
    );
    const after = (await c.classify(SHIP))[0].label;
    await c.dispose();
    return { huge, after };
  }, SHIP);
  console.log(JSON.stringify(r));
  expect(r.huge).toMatchObject({ code: 'INFERENCE_FAILED', message: expect.stringMatching(/failed to run on wasm/) });
  expect(r.after).toBe('ship');
});

test('WebGPU device lost mid-session: the next classify reopens the model on WASM and succeeds', async ({ harness }) => {
  const r = await harness.evaluate(async (SHIP) => {
    const c = await window.sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'webgpu', worker: false });
    const before = { backend: c.backend, fallbackReason: c.fallbackReason, logits: Array.from(await c.logits(SHIP)) };
    const device = await (await window.sdk.ortWebgpu()).env.webgpu.device;
    // Calls in flight when the device goes, and one after.
    const inFlight = [SHIP, SHIP, SHIP].map((u) => c.logits(u));
    device.destroy();
    const settled = await Promise.allSettled(inFlight);
    const after = Array.from(await c.logits(SHIP));
    const top = (await c.classify(SHIP))[0].label;
    const maxDiff = Math.max(...after.map((v, i) => Math.abs(v - before.logits[i])));
    const inFlightDiff = Math.max(
      ...settled.map((s) => (s.status === 'fulfilled' ? Math.max(...Array.from(s.value, (v, i) => Math.abs(v - before.logits[i]))) : Infinity)),
    );
    await c.dispose();
    return { before: { backend: before.backend, fallbackReason: before.fallbackReason }, statuses: settled.map((s) => s.status), backend: c.backend, fallbackReason: c.fallbackReason, maxDiff, inFlightDiff, top };
  }, SHIP);
  console.log(JSON.stringify(r));
  expect(r.before).toEqual({ backend: 'webgpu', fallbackReason: null });
  expect(r.statuses).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
  expect(r.backend).toBe('wasm');
  expect(r.fallbackReason).toMatch(/WebGPU device was lost \(destroyed/);
  expect(r.maxDiff).toBeLessThan(1e-3);
  expect(r.inFlightDiff).toBeLessThan(1e-3);
  expect(r.top).toBe('ship');
});

test('WebGPU device lost inside the classifier worker: the page sees the call succeed and the backend change', async ({ page, harness }) => {
  await harness.evaluate(async (SHIP) => {
    const w = window as unknown as { gpuClassifier: Awaited<ReturnType<typeof window.sdk.createClassifier>> };
    w.gpuClassifier = await window.sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'webgpu' });
    await w.gpuClassifier.classify(SHIP);
  }, SHIP);
  // The classifier's worker, and in it the module instance of onnxruntime-web it loaded.
  const worker = page.workers().find((w) => /worker\.ts/.test(w.url()));
  expect(worker, page.workers().map((w) => w.url()).join(', ')).toBeDefined();
  const destroyed = await worker!.evaluate(async () => {
    const url = performance.getEntriesByType('resource').map((e) => e.name).find((n) => /ort\.webgpu\.bundle\.min\.mjs/.test(n));
    const ort = await import(url!);
    (await ort.env.webgpu.device).destroy();
    return url;
  });
  expect(destroyed).toMatch(/ort\.webgpu\.bundle/);
  const r = await harness.evaluate(async (SHIP) => {
    const c = (window as unknown as { gpuClassifier: Awaited<ReturnType<typeof window.sdk.createClassifier>> }).gpuClassifier;
    const before = c.backend;
    const label = (await c.classify(SHIP))[0].label;
    const out = { before, label, backend: c.backend, fallbackReason: c.fallbackReason };
    await c.dispose();
    return out;
  }, SHIP);
  console.log(JSON.stringify(r));
  expect(r).toMatchObject({ before: 'webgpu', label: 'ship', backend: 'wasm', fallbackReason: expect.stringMatching(/WebGPU device was lost/) });
});

for (const worker of [true, false]) {
  test(`use (${worker ? 'worker' : 'main thread'}): 50 concurrent calls, AbortSignal on queued work, dispose during runs`, async ({ harness }) => {
    const files = listImages('cifar10').flatMap((cls) => listImages(`cifar10/${cls}`).slice(0, 5).map((f) => `/test-images/cifar10/${cls}/${f}`));
    expect(files).toHaveLength(50);
    const r = await harness.evaluate(async ({ files, worker }) => {
      const c = await window.sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm', worker });
      const sequential = [];
      for (const f of files) sequential.push(await c.classify(f));
      const concurrent = await Promise.all(files.map((f) => c.classify(f)));

      // Abort: 10 queued calls, the last 6 aborted at once; they reject before the first 4 finish.
      const ac = new AbortController();
      const t0 = performance.now();
      const stamp = (p: Promise<unknown>) => p.then(() => ({ s: 'ok', t: performance.now() - t0 }), (e) => ({ s: e.code, t: performance.now() - t0 }));
      const calls = files.slice(0, 10).map((f, i) => stamp(c.classify(f, i >= 4 ? { signal: ac.signal } : {})));
      ac.abort();
      const aborts = await Promise.all(calls);
      const preAborted = await c.classify(files[0], { signal: ac.signal }).catch((e) => e.code);

      // Dispose while 8 calls are queued or running: each finishes or rejects with DISPOSED, none hangs.
      const running = files.slice(0, 8).map((f) => c.classify(f).then((p) => p[0].label, (e) => e.code));
      await new Promise((res) => setTimeout(res, 25));
      await c.dispose();
      const settled = await Promise.race([Promise.all(running), new Promise((res) => setTimeout(() => res('HANG'), 30_000))]);
      const later = await c.classify(files[0]).catch((e) => e.code);
      const batchLater = await c.classifyBatch([files[0]]).catch((e) => e.code);
      await c.dispose(); // twice is fine
      return { sequential, concurrent, aborts, preAborted, settled, later, batchLater };
    }, { files, worker });
    expect(r.concurrent).toEqual(r.sequential); // labels, indices and scores, all 5 of each
    const distinct = new Set(r.concurrent.map((p) => JSON.stringify(p)));
    expect(distinct.size).toBe(50);
    const done = r.aborts.slice(0, 4);
    const cancelled = r.aborts.slice(4);
    console.log(JSON.stringify(r.aborts), JSON.stringify(r.settled));
    expect(done.map((a) => a.s)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(cancelled.map((a) => a.s)).toEqual(Array(6).fill('ABORTED'));
    expect(Math.max(...cancelled.map((a) => a.t))).toBeLessThan(Math.max(...done.map((a) => a.t)));
    expect(r.preAborted).toBe('ABORTED');
    expect(r.settled).not.toBe('HANG');
    // Calls that ran before dispose() have their right answer; every later one is DISPOSED.
    const settled = r.settled as string[];
    const ran = settled.filter((s) => s !== 'DISPOSED').length;
    const labels = r.sequential.map((p) => p[0].label);
    expect(settled).toEqual([...labels.slice(0, ran), ...Array(settled.length - ran).fill('DISPOSED')]);
    expect(r.later).toBe('DISPOSED');
    expect(r.batchLater).toBe('DISPOSED');
  });
}

test('AbortSignal cancels loading at once: mid-download, and while the session is created', async ({ harness }) => {
  const r = await harness.evaluate(async () => {
    const model = 'resnet50-untrained'; // 97 MB: a long download and a session that takes a while to create
    const load = async (worker: boolean, cache: boolean, when: 'download' | 'session', backend: 'wasm' | 'webgpu' = 'wasm', m = model) => {
      const ac = new AbortController();
      let abortedAt = 0;
      const abort = () => {
        if (abortedAt) return;
        abortedAt = performance.now();
        ac.abort();
      };
      const outcome = await window.sdk
        .createClassifier({
          model: m, backend, worker, cache, signal: ac.signal,
          onProgress: ({ loaded, total }) => {
            if (when === 'download' && loaded > 0 && loaded < total) abort();
            // The bytes are in: what is left is the session. At once, not after a delay: a cached
            // model's session (memory reserved beforehand) can be ready within 50 ms.
            if (when === 'session' && loaded === total) abort();
          },
        })
        .then(async (c) => {
          await c.dispose();
          return 'loaded';
        }, (e) => e.code);
      return { outcome, rejectMs: Math.round(performance.now() - abortedAt) };
    };
    await caches.delete('resnet-web-models-v1');
    const downloadWorker = await load(true, false, 'download');
    const downloadMain = await load(false, false, 'download');
    await (await window.sdk.createClassifier({ model, backend: 'wasm', worker: false, warmUp: false })).dispose(); // into the cache
    // (On the page's thread, onnxruntime-web's WASM session creation blocks the thread itself, so
    // no timer can fire to abort it: that is what the worker is for.)
    const sessionWorker = await load(true, true, 'session');
    // WebGPU session creation (shader compilation, warm-up) is asynchronous: abortable on the page's thread too.
    const sessionMainWebgpu = await load(false, true, 'session', 'webgpu', 'resnet56-cifar10');
    return { downloadWorker, downloadMain, sessionWorker, sessionMainWebgpu };
  });
  console.log(JSON.stringify(r));
  for (const [name, o] of Object.entries(r)) {
    expect(o.outcome, name).toBe('ABORTED');
    expect(o.rejectMs, name).toBeLessThan(200);
  }
});

/**
 * Counts what the page holds: live GPU buffers (created − destroyed − garbage-collected), and the
 * size of every WebAssembly memory (onnxruntime-web's heap: it grows, never shrinks).
 */
function instrument() {
  const w = window as unknown as { gpuLive: () => { buffers: number; bytes: number }; wasmBytes: () => number; wasmMemories: number };
  let live = 0;
  let bytes = 0;
  const info = new WeakMap<object, { size: number; gone: boolean }>();
  const gone = (i: { size: number; gone: boolean }) => {
    if (i.gone) return;
    i.gone = true;
    live--;
    bytes -= i.size;
  };
  const registry = new FinalizationRegistry(gone);
  if (typeof GPUDevice !== 'undefined') {
    const create = GPUDevice.prototype.createBuffer;
    GPUDevice.prototype.createBuffer = function (this: GPUDevice, d: GPUBufferDescriptor) {
      const b = create.call(this, d);
      const i = { size: d.size, gone: false };
      info.set(b, i);
      registry.register(b, i);
      live++;
      bytes += d.size;
      return b;
    };
    const destroy = GPUBuffer.prototype.destroy;
    GPUBuffer.prototype.destroy = function (this: GPUBuffer) {
      const i = info.get(this);
      if (i) gone(i);
      return destroy.call(this);
    };
  }
  const memories: WebAssembly.Memory[] = [];
  WebAssembly.Memory = new Proxy(WebAssembly.Memory, {
    construct(target, args) {
      const m = Reflect.construct(target, args) as WebAssembly.Memory;
      memories.push(m);
      return m;
    },
  });
  w.gpuLive = () => ({ buffers: live, bytes });
  w.wasmBytes = () => memories.reduce((n, m) => n + m.buffer.byteLength, 0);
  Object.defineProperty(w, 'wasmMemories', { get: () => memories.length });
}

/** Garbage-collects (DevTools protocol) and returns the page's JS heap, wasm and GPU figures. */
async function measure(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await page.evaluate(() => new Promise((r) => setTimeout(r, 50))); // finalizers run
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
  await cdp.detach();
  const page_ = await page.evaluate(() => {
    const w = window as unknown as { gpuLive: () => { buffers: number; bytes: number }; wasmBytes: () => number; wasmMemories: number };
    return { gpu: w.gpuLive(), wasm: w.wasmBytes(), memories: w.wasmMemories };
  });
  return { heap: heap.usedSize, backing: heap.backingStorageSize ?? 0, ...page_ };
}

const MB = 2 ** 20;

test('20 classifiers created and disposed in a row: JS heap, WASM heap, GPU buffers and workers do not grow', async ({ page, harness }) => {
  await page.addInitScript(instrument);
  await harness.reload();
  await harness.waitForFunction(() => window.harnessReady === true);
  // Each classifier classifies once on WASM. On WebGPU (SwiftShader here compiles the shaders of
  // every new session for ~7 s) it is created without warm-up and disposed; its weights are on
  // the GPU meanwhile (counted), and runs are the soak test's part.
  const cycle = (backend: string, worker: boolean) =>
    harness.evaluate(async ({ backend, worker }) => {
      const gpu = backend === 'webgpu';
      const c = await window.sdk.createClassifier({ model: 'resnet20-cifar10', backend: backend as 'wasm', worker, warmUp: gpu ? false : undefined });
      const buffersDuring = (window as unknown as { gpuLive: () => { buffers: number } }).gpuLive().buffers;
      const label = gpu ? 'ship' : (await c.classify('/test-images/cifar10/ship/0003.jpg'))[0].label;
      await c.dispose();
      return gpu ? `${label}, ${buffersDuring > 0 ? 'weights on the GPU' : 'no GPU buffers'}` : label;
    }, { backend, worker });
  const ok = (backend: string) => (backend === 'webgpu' ? 'ship, weights on the GPU' : 'ship');
  const cdp = await page.context().newCDPSession(page);
  const workers = async () => (await cdp.send('Target.getTargets')).targetInfos.filter((t) => t.type === 'worker').map((t) => t.url.replace(/^.*\//, ''));
  const figures: Record<string, { first: Awaited<ReturnType<typeof measure>>; last: Awaited<ReturnType<typeof measure>> }> = {};
  for (const [backend, worker] of [['wasm', true], ['wasm', false], ['webgpu', false]] as const) {
    expect(await cycle(backend, worker)).toBe(ok(backend));
    expect(await cycle(backend, worker)).toBe(ok(backend));
    const first = await measure(page);
    for (let i = 2; i < 20; i++) expect(await cycle(backend, worker)).toBe(ok(backend));
    const last = await measure(page);
    figures[`${backend}${worker ? ' (worker)' : ''}`] = { first, last };
  }
  // Disposed classifiers' workers are gone; what is left is onnxruntime-web's own thread pool of
  // each build loaded in the page (kept for the page's life, shared by its classifiers).
  await expect.poll(workers).not.toContainEqual(expect.stringMatching(/worker/));
  const liveWorkers = await workers();
  console.log(JSON.stringify(figures, null, 1), `workers left: ${liveWorkers.join(', ')}`);
  for (const [name, { first, last }] of Object.entries(figures)) {
    expect(last.heap - first.heap, `${name}: JS heap`).toBeLessThan(2 * MB);
    expect(last.backing - first.backing, `${name}: array buffers`).toBeLessThan(2 * MB);
    expect(last.wasm, `${name}: WASM memory`).toBe(first.wasm);
    expect(last.gpu.buffers, `${name}: GPU buffers`).toBeLessThanOrEqual(first.gpu.buffers);
  }
  expect(figures.wasm.first.memories).toBeGreaterThan(0); // the WASM heap is seen at all
  expect(liveWorkers.length).toBeLessThanOrEqual(2);
  for (const w of liveWorkers) expect(w).toMatch(/^ort\.(wasm|webgpu)\.bundle\.min\.mjs/);
});

test('soak: 1000 classifications on WASM and 100 on WebGPU; heaps and GPU buffers stay flat', async ({ page, harness }) => {
  await page.addInitScript(instrument);
  await harness.reload();
  await harness.waitForFunction(() => window.harnessReady === true);
  const files = listImages('cifar10').map((cls) => `/test-images/cifar10/${cls}/0000.jpg`);
  await harness.evaluate(async (files) => {
    const w = window as unknown as { soak: Record<string, (n: number) => Promise<number[]>>; inputs: ImageBitmap[] };
    w.inputs = await Promise.all(files.map(async (f) => createImageBitmap(await (await fetch(f)).blob())));
    w.soak = {};
    for (const backend of ['wasm', 'webgpu'] as const) {
      const c = await window.sdk.createClassifier({ model: 'resnet20-cifar10', backend, worker: false });
      w.soak[backend] = async (n) => {
        const top: number[] = [];
        for (let i = 0; i < n; i++) top.push((await c.classify(w.inputs[i % w.inputs.length], { topK: 1 }))[0].index);
        return top;
      };
    }
  }, files);
  const soak = (backend: string, n: number) => harness.evaluate(({ backend, n }) => (window as unknown as { soak: Record<string, (n: number) => Promise<number[]>> }).soak[backend](n), { backend, n });
  type Figures = Awaited<ReturnType<typeof measure>>;
  const results: Record<string, { runs: number; warm: Figures; mid: Figures; last: Figures; ms: number; stable: boolean }> = {};
  // Measured after a warm-up (the first few hundred calls grow the heap with the JIT's own
  // data), halfway and at the end: a leak shows as growth in the second half.
  for (const [backend, warm, half] of [['wasm', 200, 400], ['webgpu', 20, 40]] as const) {
    const warmTop = await soak(backend, warm);
    const warmed = await measure(page);
    const t0 = Date.now();
    const top = [...(await soak(backend, half))];
    const mid = await measure(page);
    top.push(...(await soak(backend, half)));
    const ms = Date.now() - t0;
    const last = await measure(page);
    // The same 10 images in rotation: the same answers throughout.
    const stable = top.every((t, i) => t === warmTop[i % 10]);
    results[backend] = { runs: warm + 2 * half, warm: warmed, mid, last, ms, stable };
  }
  console.log(JSON.stringify(results, null, 1));
  for (const [backend, { runs, warm, mid, last, stable }] of Object.entries(results)) {
    expect(stable, backend).toBe(true);
    expect(last.heap - warm.heap, `${backend}: JS heap after the warm-up`).toBeLessThan(2 * MB);
    // Measured here once warm: ~50 bytes a call on WASM (20 KB over 400 calls); on WebGPU the
    // figure is noisier (2–100 KB per 40 calls, mostly inside onnxruntime-web's session.run).
    // The bounds: 100 KB over 400 WASM calls, 512 KB over 40 WebGPU calls. Leaked pixels or
    // tensors would show in the array-buffer check (a 12 KB input tensor a call; bound 64 KB).
    const bound = backend === 'wasm' ? 100 * 1024 : 512 * 1024;
    expect(last.heap - mid.heap, `${backend}: JS heap over the second half`).toBeLessThan(bound);
    expect(last.backing - warm.backing, `${backend}: array buffers`).toBeLessThan(64 * 1024);
    expect(last.wasm, `${backend}: WASM memory`).toBe(warm.wasm);
    expect(last.gpu.buffers, `${backend}: live GPU buffers`).toBeLessThanOrEqual(warm.gpu.buffers);
    expect(runs).toBe(backend === 'wasm' ? 1000 : 100);
  }
  expect(results.webgpu.warm.gpu.buffers).toBeGreaterThan(0); // GPU buffers are seen at all
});
