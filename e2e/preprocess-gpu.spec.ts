/**
 * The WebGPU preprocessing (compute shaders) against the CPU path and the reference, on the
 * real photos, in the browser.
 */
import { expect, listImages, reference, test } from './fixtures.ts';

test.beforeEach(async ({ harness }) => {
  const adapter = await harness.evaluate(async () => !!(await navigator.gpu?.requestAdapter()));
  test.skip(!adapter && !process.env.REQUIRE_WEBGPU, 'this browser has no WebGPU adapter');
});

const photos = listImages('imagenet').filter((f) => f.endsWith('.JPEG'));

test('GPU preprocessing gives the CPU path\'s tensor on all 100 photos and the edge files; every filter, NHWC, BGR and 0–255 on a fifth of them', async ({ harness }) => {
  const edge = listImages('edge').filter((f) => !['truncated.jpg', 'not-an-image.jpg', 'empty.png'].includes(f));
  const urls = [...photos.map((f) => `/test-images/imagenet/${f}`), ...edge.map((f) => `/test-images/edge/${f}`)];
  const r = await harness.evaluate(async ({ urls, nPhotos }) => {
    const { sdk } = window;
    const adapter = (await navigator.gpu.requestAdapter())!;
    const device = await adapter.requestDevice();
    const timm = { inputSize: 224, resizeTo: 235, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;
    // [spec, every how many images it runs on]: the two registry pipelines on all, the other
    // interpolations and input formats (ModelSpec's) on every fifth photo and the edge files.
    const specs = [
      [sdk.MODELS['resnet50-untrained'], 1],
      [sdk.MODELS['resnet56-cifar10'], 1],
      [{ ...timm, interpolation: 'bicubic' }, 5],
      [{ ...timm, interpolation: 'lanczos', layout: 'NHWC' }, 5],
      [{ ...timm, interpolation: 'nearest', channelOrder: 'BGR' }, 5],
      [{ ...timm, layout: 'NHWC', channelOrder: 'BGR', pixelScale: 1, mean: [103.939, 116.779, 123.68], std: [1, 1, 1] }, 5],
    ] as const;
    const runs = specs.map(([spec, every]) => {
      const params = { ...spec, mean: [...spec.mean] as [number, number, number], std: [...spec.std] as [number, number, number] };
      const gpu = new sdk.GpuPreprocessor(device, params);
      const out = device.createBuffer({ size: gpu.imageBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      return { params, every, gpu, out, results: [] as { maxDiff: number; means: number[] }[] };
    });
    for (const [i, u] of urls.entries()) {
      const pixels = await sdk.toPixels(u);
      const source = await sdk.toGpuSource(u);
      const photo = i < nPhotos; // the edge files run with every spec
      for (const run of runs) {
        if (photo && i % run.every !== 0) continue;
        const cpu = sdk.preprocess(pixels, run.params);
        await run.gpu.encode(source, run.out, 0);
        const t = await run.gpu.read(run.out, run.gpu.imageBytes);
        let maxDiff = 0;
        for (let k = 0; k < t.length; k++) maxDiff = Math.max(maxDiff, Math.abs(t[k] - cpu[k]));
        const plane = t.length / 3;
        const means = [0, 1, 2].map((c) => t.subarray(c * plane, (c + 1) * plane).reduce((a, b) => a + b, 0) / plane);
        run.results.push({ maxDiff, means });
      }
      source.release();
      pixels.release?.();
    }
    for (const run of runs) {
      run.out.destroy();
      run.gpu.dispose();
    }
    device.destroy();
    return runs.map((run) => run.results);
  }, { urls, nPhotos: photos.length });
  const worst = r.map((results) => Math.max(...results.map((x) => x.maxDiff)));
  let refWorst = 0;
  photos.forEach((f, i) => {
    reference.imagenet[f].input_channel_mean.forEach((m, c) => (refWorst = Math.max(refWorst, Math.abs(r[0][i].means[c] - m))));
  });
  console.log(
    `GPU vs CPU preprocessing, max |Δ| per spec (images): ${worst.map((w, k) => `${w} (${r[k].length})`).join(', ')}; ` +
      `GPU channel means vs reference: max |Δ| ${refWorst.toExponential(2)}`,
  );
  const fifth = photos.length / 5 + edge.length;
  expect(r.map((x) => x.length)).toEqual([urls.length, urls.length, fifth, fifth, fifth, fifth]);
  // Same integer arithmetic and the same float32 tables: the tensors are identical.
  expect(worst).toEqual([0, 0, 0, 0, 0, 0]);
  expect(refWorst).toBeLessThan(1e-4);
});

test('classify on WebGPU preprocesses on the GPU: image to texture, no CPU pixel read-back', async ({ harness }) => {
  const r = await harness.evaluate(async () => {
    const calls = { toTexture: 0, getImageData: 0 };
    const wrap = <T extends object>(proto: T, name: keyof T & string, key: keyof typeof calls) => {
      const original = proto[name] as (...a: unknown[]) => unknown;
      (proto as Record<string, unknown>)[name] = function (this: unknown, ...a: unknown[]) {
        calls[key]++;
        return original.apply(this, a);
      };
    };
    wrap(GPUQueue.prototype, 'copyExternalImageToTexture', 'toTexture');
    wrap(OffscreenCanvasRenderingContext2D.prototype, 'getImageData', 'getImageData');
    // In this thread, where the wrapped GPUQueue and canvas can see it.
    const c = await window.sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'webgpu', worker: false });
    const bitmap = await createImageBitmap(await (await fetch('/test-images/cifar10/ship/0003.jpg')).blob());
    const before = { ...calls };
    const top = await c.classify(bitmap);
    const batch = await c.classifyBatch([bitmap, '/test-images/cifar10/cat/0000.jpg']);
    await c.dispose();
    return {
      backend: c.backend,
      label: top[0].label,
      batch: batch.map((p) => p[0].label),
      toTexture: calls.toTexture - before.toTexture,
      getImageData: calls.getImageData - before.getImageData,
    };
  });
  expect(r.backend).toBe('webgpu');
  expect(r.label).toBe('ship');
  expect(r.batch).toEqual(['ship', 'cat']);
  expect(r.toTexture).toBe(3);
  expect(r.getImageData).toBe(0);
});

test('video on the GPU path (external texture, or a copied frame where the import fails) gives the CPU path\'s tensor', async ({ harness }) => {
  const r = await harness.evaluate(async () => {
    const { sdk } = window;
    const bitmap = await createImageBitmap(await (await fetch('/test-images/classic/trt5-mug-cc0.jpeg')).blob());
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = canvas.captureStream();
    await video.play();
    await new Promise((res) => (video.readyState >= 2 ? res(null) : video.addEventListener('loadeddata', res, { once: true })));
    const frame = new VideoFrame(canvas, { timestamp: 0 });

    const device = await (await navigator.gpu.requestAdapter())!.requestDevice();
    const spec = sdk.MODELS['resnet20-cifar10'];
    const gpu = new sdk.GpuPreprocessor(device, spec);
    const out = device.createBuffer({ size: gpu.imageBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const result: Record<string, { kind: string; via: string; maxDiff: number }> = {};
    for (const [name, input] of [['video', video], ['frame', frame]] as const) {
      const cpu = sdk.preprocess(await sdk.toPixels(input), spec);
      const source = await sdk.toGpuSource(input);
      const via = await gpu.encode(source, out, 0);
      source.release();
      const t = await gpu.read(out, gpu.imageBytes);
      let maxDiff = 0;
      t.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - cpu[i]))));
      result[name] = { kind: source.kind, via, maxDiff };
    }
    frame.close();
    device.destroy();
    return result;
  });
  console.log(`video on the GPU path vs the CPU path: ${JSON.stringify(r)}`);
  for (const name of ['video', 'frame']) {
    expect(r[name].kind).toBe('video');
    expect(['external', 'texture']).toContain(r[name].via);
    // A copied frame is the CPU path's pixels exactly. An external texture converts colour on
    // the GPU: one grey level (1/255/0.229 ≈ 0.017 after normalization) may round differently.
    expect(r[name].maxDiff).toBeLessThanOrEqual(r[name].via === 'texture' ? 0 : 0.018);
  }
});
