/**
 * Issue 7, the inputs and faults: every bad image, broken model file or download, missing runtime
 * file and oversized batch gets the exact ClassifierError code, and the classifier still works
 * after. Model errors already covered by api.spec.ts (404, sha256 mismatch, wrong input shape,
 * wrong class count) are not repeated here. Recovery, misuse and leaks: lifecycle.spec.ts.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, IMAGES, listImages, MODELS_DIR, SHIP, test } from './fixtures.ts';

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
