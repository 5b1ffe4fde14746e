/**
 * WebGPU (SwiftShader here: correct but slow, so few and small runs; a real GPU elsewhere).
 */
import { CLASSIC, expect, reference, test } from './fixtures.ts';

test.beforeEach(async ({ harness }) => {
  const adapter = await harness.evaluate(async () => !!(await navigator.gpu?.requestAdapter()));
  test.skip(!adapter && !process.env.REQUIRE_WEBGPU, 'this browser has no WebGPU adapter');
});

// One WebGPU session for both checks (SwiftShader compiles each session's shaders in ~15 s):
// ResNet-20, the same operators as ResNet-56 (which runs on WebGPU in preprocess-gpu.spec.ts) at a
// third of the work.
test("backend 'auto' picks WebGPU when an adapter exists; WebGPU agrees with WASM, and with the reference on ≥ 99 % of 100 CIFAR-10 images", async ({ harness }) => {
  const files = Object.keys(reference.cifar10).sort().filter((_, i) => i % 10 === 0);
  const r = await harness.evaluate(async (files) => {
    const urls = ['/test-images/classic/trt5-mug-cc0.jpeg', '/test-images/cifar10/ship/0003.jpg', '/test-images/edge/grayscale.jpg'];
    const gpu = await window.sdk.createClassifier({ model: 'resnet20-cifar10' });
    const cpu = await window.sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'wasm' });
    let worst = 0;
    for (const u of urls) {
      const [a, b] = [await gpu.logits(u), await cpu.logits(u)];
      a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]))));
    }
    const top = await gpu.classify(urls[1]);
    const top1: number[] = [];
    for (const f of files) top1.push((await gpu.classify(`/test-images/cifar10/${f}`, { topK: 1 }))[0].index);
    await Promise.all([gpu.dispose(), cpu.dispose()]);
    return { backend: gpu.backend, worst, top, top1 };
  }, files);
  console.log(`WebGPU vs WASM, ResNet-20 logits: max |Δ| ${r.worst.toExponential(2)}; ship → ${r.top[0].label}`);
  expect(r.backend).toBe('webgpu');
  expect(r.worst).toBeLessThan(1e-3);
  expect(r.top[0].label).toBe('ship');
  const agree = files.filter((f, i) => r.top1[i] === reference.cifar10[f].resnet20_top5[0][0]).length / files.length;
  console.log(`WebGPU ResNet-20: top-1 agreement ${(agree * 100).toFixed(1)} % over ${files.length} images`);
  expect(r.top1).toHaveLength(100);
  expect(agree).toBeGreaterThanOrEqual(0.99);
});

test('the classic photos on WebGPU with MobileNetV2-int8: top-1 is the class in the file name', async ({ harness }) => {
  const expected = CLASSIC;
  const r = await harness.evaluate(async (files) => {
    const c = await window.sdk.createClassifier({ model: 'mobilenetv2-int8', backend: 'webgpu' });
    const top1: number[] = [];
    for (const f of files) top1.push((await c.classify(`/test-images/classic/${f}`))[0].index);
    await c.dispose();
    return { backend: c.backend, top1 };
  }, Object.keys(expected));
  expect(r.backend).toBe('webgpu');
  Object.keys(expected).forEach((f, i) => expect(expected[f], f).toContain(r.top1[i]));
});
