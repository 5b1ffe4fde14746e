/**
 * Learn your own tags in the browser: `learn` / `loadLearned` in the worker and on the page (WASM),
 * on WebGPU, a learned classifier's `watch`, and the per-call view (`region`, `rotation`) on the
 * CPU and GPU paths.
 */
import { expect, listImages, test } from './fixtures.ts';

const cifar = (label: string, from: number, n: number) => listImages(`cifar10/${label}`).slice(from, from + n).map((f) => `/test-images/cifar10/${label}/${f}`);
const LABELS = ['airplane', 'cat', 'ship'];
const examples = Object.fromEntries(LABELS.map((l) => [l, cifar(l, 0, 5)]));
const heldOut = LABELS.flatMap((l) => cifar(l, 50, 15).map((url) => ({ url, label: l })));

for (const worker of [true, false]) {
  test(`learn, classify, toJSON → loadLearned, addExamples, bad examples (${worker ? 'worker' : 'page'}, WASM, ResNet-56)`, async ({ harness }) => {
    const r = await harness.evaluate(
      async ({ worker, examples, heldOut }) => {
        const { sdk } = window;
        const c = await sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm', worker });
        const progress: string[] = [];
        const learned = await c.learn(examples, { onProgress: (p) => progress.push(`${p.done}/${p.total}`) });
        let right = 0;
        for (const h of heldOut) if ((await learned.classify(h.url))[0].label === h.label) right++;
        // Restored from its text on a second classifier of the same model: the same answers.
        const text = JSON.stringify(learned);
        const other = await sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm', worker: !worker });
        const restored = await other.loadLearned(text);
        const probes = heldOut.filter((_, i) => i % 5 === 0).map((h) => h.url);
        const same = [];
        for (const u of probes) same.push(JSON.stringify(await learned.classify(u)) === JSON.stringify(await restored.classify(u)));
        const batch = await restored.classifyBatch(probes.slice(0, 3), { topK: 1 });
        // JSON learned on another model
        const r20 = await sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'wasm', worker });
        const mismatch = await r20.loadLearned(text).catch((e: { code: string; message: string }) => ({ code: e.code, message: e.message }));
        const corrupt = await r20.loadLearned({ format: 'resnet-web/learned', version: 1 }).catch((e: { code: string; message: string }) => ({ code: e.code, message: e.message }));
        // a photo that is not one, named by label and position
        const bad = await c
          .learn({ cat: [examples.cat[0], examples.cat[1], new Blob(['not an image'], { type: 'image/jpeg' })], ship: examples.ship })
          .catch((e: { code: string; message: string }) => ({ code: e.code, message: e.message }));
        const oneLabel = await c.learn({ cat: examples.cat }).catch((e: Error) => ({ name: e.name, message: e.message }));
        await learned.addExamples('frog', [examples.cat[0].replace(/cat\/\d+/, 'frog/0000'), examples.cat[0].replace(/cat\/\d+/, 'frog/0001')]);
        const afterAdd = { labels: [...learned.labels], examples: learned.examples };
        learned.removeLabel('frog');
        const afterRemove = [...learned.labels];
        const disposedCall = (await c.dispose(), await learned.classify(probes[0]).catch((e: { code: string }) => e.code));
        await other.dispose();
        await r20.dispose();
        return { progress, right, same, batch, mismatch, corrupt, bad, oneLabel, afterAdd, afterRemove, disposedCall, size: text.length, labels: [...restored.labels] };
      },
      { worker, examples, heldOut },
    );
    console.log(`learned on 15 photos: ${r.right}/${heldOut.length} held-out photos right; JSON ${r.size} bytes`);
    expect(r.progress[0]).toBe('0/15');
    expect(r.progress.at(-1)).toBe('15/15');
    expect(r.progress).toHaveLength(16);
    // ResNet-56's features separate these three classes well: chance is 15/45.
    expect(r.right).toBeGreaterThanOrEqual(36);
    expect(r.same.every(Boolean)).toBe(true);
    expect(r.labels).toEqual(LABELS);
    expect(r.batch.map((p) => p.length)).toEqual([1, 1, 1]);
    expect(r.mismatch).toMatchObject({ code: 'LEARNED_MISMATCH', message: expect.stringMatching(/"resnet56-cifar10".*"resnet20-cifar10"/) });
    expect(r.corrupt).toMatchObject({ code: 'INVALID_LEARNED' });
    expect(r.bad).toMatchObject({ code: 'INVALID_IMAGE', message: expect.stringContaining('examples["cat"][2]') });
    expect(r.oneLabel).toMatchObject({ name: 'RangeError', message: expect.stringContaining('at least two labels') });
    expect(r.afterAdd).toEqual({ labels: [...LABELS, 'frog'], examples: { airplane: 5, cat: 5, ship: 5, frog: 2 } });
    expect(r.afterRemove).toEqual(LABELS);
    expect(r.disposedCall).toBe('DISPOSED');
  });
}

test('region and rotation: the pixels of that part, turned, on the page and in the worker; bad views refused', async ({ harness }) => {
  const r = await harness.evaluate(async () => {
    const { sdk } = window;
    const url = '/test-images/classic/pytorch-hub-dog.jpg';
    const img = new Image();
    img.src = url;
    await img.decode();
    const region = { x: 300, y: 120, width: 801, height: 603 };
    /** The region drawn into a canvas turned clockwise by `deg` (an independent cut and turn). */
    const expected = (deg: number) => {
      const turned = deg % 180 !== 0;
      const canvas = new OffscreenCanvas(turned ? region.height : region.width, turned ? region.width : region.height);
      const ctx = canvas.getContext('2d')!;
      ctx.imageSmoothingEnabled = false;
      ctx.translate(canvas.width / 2, canvas.height / 2);
      ctx.rotate((deg * Math.PI) / 180);
      ctx.drawImage(img, region.x, region.y, region.width, region.height, -region.width / 2, -region.height / 2, region.width, region.height);
      return ctx.getImageData(0, 0, canvas.width, canvas.height);
    };
    const page = await sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm', worker: false });
    const worker = await sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm' });
    const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    const out = [];
    for (const rotation of [0, 90, 180, 270] as const) {
      const want = await page.logits(expected(rotation));
      const got = await page.logits(url, { region, rotation });
      const viaWorker = await worker.logits(url, { region, rotation });
      const batch = await page.classifyBatch([url, url], { region, rotation, topK: 2 });
      const single = await page.classify(url, { region, rotation, topK: 2 });
      // A batch of two runs other kernels: the same labels, scores within float noise.
      const batchSame = batch.every((b) => b.every((p, i) => p.label === single[i].label && Math.abs(p.score - single[i].score) < 1e-5));
      out.push({ rotation, page: maxDiff(got, want), worker: maxDiff(viaWorker, want), batchSame });
    }
    const whole = maxDiff(await page.logits(url, { region: { x: 0, y: 0, width: img.naturalWidth, height: img.naturalHeight } }), await page.logits(url));
    const turnedDiffers = maxDiff(await page.logits(url, { rotation: 90 }), await page.logits(url));
    const error = (p: Promise<unknown>) => p.then(() => null, (e: Error) => `${e.name}: ${e.message}`);
    const errors = {
      outside: await error(worker.classify(url, { region: { x: 1500, y: 0, width: 100, height: 100 } })),
      rotation: await error(worker.classify(url, { rotation: 45 as 90 })),
      embedOutside: await error(page.embed(url, { region: { x: 0, y: 1200, width: 10, height: 100 } })),
    };
    await page.dispose();
    await worker.dispose();
    return { out, whole, turnedDiffers, errors, size: [img.naturalWidth, img.naturalHeight] };
  });
  console.log(`region/rotation vs a canvas cut: ${JSON.stringify(r.out)}`);
  for (const o of r.out) {
    expect(o.page).toBe(0);
    expect(o.worker).toBe(0);
    expect(o.batchSame).toBe(true);
  }
  expect(r.whole).toBe(0); // the whole image as a region is the image
  expect(r.turnedDiffers).toBeGreaterThan(0); // and a turn changes what the model sees
  expect(r.errors.outside).toMatch(new RegExp(`RangeError: .*reaches outside the ${r.size[0]}×${r.size[1]} image`));
  expect(r.errors.rotation).toMatch(/RangeError: rotation must be 0, 90, 180 or 270/);
  expect(r.errors.embedOutside).toMatch(/RangeError: .*reaches outside/);
});

test('a learned classifier watches a video with its own labels, region included, and stops', async ({ harness }) => {
  const r = await harness.evaluate(
    async ({ examples }) => {
      const { sdk } = window;
      const c = await sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm', worker: false });
      const learned = await c.learn(examples);
      const v = await sdk.photoVideo([examples.ship[0]], { msPerPhoto: 10_000 });
      const results: { labels: string[]; sum: number }[] = [];
      const w = learned.watch(v.video, (res) => results.push({ labels: res.predictions.map((p) => p.label), sum: res.predictions.reduce((s, p) => s + p.score, 0) }), {
        region: { x: 80, y: 0, width: 480, height: 480 },
      });
      const t0 = performance.now();
      while (results.length < 4 && performance.now() - t0 < 20_000) await new Promise((res) => setTimeout(res, 50));
      w.stop();
      const n = results.length;
      await new Promise((res) => setTimeout(res, 300));
      const bad = (() => {
        try {
          learned.watch(v.video, () => undefined, { rotation: 30 as 90 });
          return null;
        } catch (e) {
          return (e as Error).name;
        }
      })();
      v.stop();
      await c.dispose();
      return { results, n, after: results.length, why: await w.done, bad };
    },
    { examples },
  );
  expect(r.n).toBeGreaterThanOrEqual(4);
  expect(r.after).toBe(r.n); // nothing after stop()
  expect(r.why).toBe('stopped');
  expect(r.bad).toBe('RangeError');
  for (const res of r.results) {
    expect(res.labels.every((l) => LABELS.includes(l))).toBe(true);
    expect(res.sum).toBeCloseTo(1, 4);
  }
});

test('WebGPU: the view on the GPU path is the CPU path\'s tensor; learn gives WASM\'s answers', async ({ harness }) => {
  const adapter = await harness.evaluate(async () => !!(await navigator.gpu?.requestAdapter()));
  test.skip(!adapter && !process.env.REQUIRE_WEBGPU, 'this browser has no WebGPU adapter');
  const small = Object.fromEntries(LABELS.map((l) => [l, cifar(l, 0, 3)]));
  const probes = LABELS.flatMap((l) => cifar(l, 60, 2));
  const r = await harness.evaluate(
    async ({ small, probes }) => {
      const { sdk } = window;
      const url = '/test-images/classic/trt5-tabby_tiger_cat.jpg';
      const view = sdk.checkView({ region: { x: 40, y: 30, width: 333, height: 250 }, rotation: 270 })!;
      const spec = sdk.MODELS['resnet50-untrained'];
      const params = { ...spec, mean: [...spec.mean] as [number, number, number], std: [...spec.std] as [number, number, number] };
      const device = await (await navigator.gpu.requestAdapter())!.requestDevice();
      const gpu = new sdk.GpuPreprocessor(device, params);
      const buffer = device.createBuffer({ size: gpu.imageBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const pixels = await sdk.viewPixels(url, view);
      await gpu.encode({ kind: 'pixels', data: pixels.data, width: pixels.width, height: pixels.height }, buffer, 0);
      const onGpu = await gpu.read(buffer, gpu.imageBytes);
      const onCpu = sdk.preprocess(pixels, params);
      const tensorDiff = onGpu.reduce((m, v, i) => Math.max(m, Math.abs(v - onCpu[i])), 0);
      buffer.destroy();
      gpu.dispose();
      device.destroy();

      const webgpu = await sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'webgpu' });
      const wasm = await sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'wasm', worker: false });
      const a = await webgpu.logits(url, { region: view.region!, rotation: view.rotation });
      const b = await wasm.logits(url, { region: view.region!, rotation: view.rotation });
      const logitsDiff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
      const lg = await webgpu.learn(small);
      const lw = await wasm.learn(small);
      const answers = [];
      for (const p of probes) answers.push({ gpu: (await lg.classify(p))[0], cpu: (await lw.classify(p))[0] });
      const backend = webgpu.backend;
      await webgpu.dispose();
      await wasm.dispose();
      return { tensorDiff, logitsDiff, answers, backend };
    },
    { small, probes },
  );
  console.log(`WebGPU view: tensor max |Δ| ${r.tensorDiff}, logits max |Δ| vs WASM ${r.logitsDiff.toExponential(2)}`);
  expect(r.backend).toBe('webgpu');
  expect(r.tensorDiff).toBe(0);
  expect(r.logitsDiff).toBeLessThan(1e-3);
  for (const a of r.answers) {
    expect(a.gpu.label).toBe(a.cpu.label);
    expect(Math.abs(a.gpu.score - a.cpu.score)).toBeLessThan(1e-2);
  }
});
