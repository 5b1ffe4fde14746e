/** Model cache across page loads, the cache API, and privacy: classifying makes no requests. */
import { expect, test } from './fixtures.ts';

test('a second page load takes the model from Cache Storage; size query and clearModelCache work', async ({ page, harness }) => {
  const modelRequests: string[] = [];
  page.on('request', (r) => r.url().endsWith('.onnx') && modelRequests.push(r.url()));
  const load = () =>
    harness.evaluate(async () => {
      const c = await window.sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm' });
      const label = (await c.classify('/test-images/cifar10/ship/0003.jpg'))[0].label;
      await c.dispose();
      return label;
    });
  await harness.evaluate(() => window.sdk.clearModelCache());
  expect(await load()).toBe('ship');
  expect(modelRequests).toHaveLength(1);

  await harness.reload();
  await harness.waitForFunction(() => window.harnessReady === true);
  expect(await load()).toBe('ship');
  expect(modelRequests).toHaveLength(1); // the reload did not download it again

  const size = await harness.evaluate(() => window.sdk.modelCacheSize());
  expect(size.entries).toEqual([
    { url: expect.stringMatching(/\/models\/resnet56-cifar10\.onnx$/), sha256: expect.stringMatching(/^1e67a742/), bytes: 3436582 },
  ]);
  expect(size.bytes).toBe(3436582);

  expect(await harness.evaluate(() => window.sdk.clearModelCache())).toBe(true);
  expect((await harness.evaluate(() => window.sdk.modelCacheSize())).bytes).toBe(0);
  expect(await load()).toBe('ship');
  expect(modelRequests).toHaveLength(2); // cleared: downloaded again
});

test('privacy: 20 classifications make no network request beyond the model and runtime files', async ({ page, harness }) => {
  await harness.evaluate(async () => {
    (window as unknown as { c: unknown }).c = await window.sdk.createClassifier({ model: 'mobilenetv2-int8', backend: 'wasm' });
  });
  // The images are in memory before counting starts: what is counted is the SDK's own traffic.
  await harness.evaluate(async () => {
    const urls = ['/test-images/classic/pytorch-hub-dog.jpg', '/test-images/classic/trt5-mug-cc0.jpeg'];
    (window as unknown as { blobs: Blob[] }).blobs = await Promise.all(urls.map(async (u) => (await fetch(u)).blob()));
  });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const labels = await harness.evaluate(async () => {
    const w = window as unknown as { c: Awaited<ReturnType<typeof window.sdk.createClassifier>>; blobs: Blob[] };
    const out: string[] = [];
    for (let i = 0; i < 20; i++) out.push((await w.c.classify(w.blobs[i % 2]))[0].label);
    return out;
  });
  expect(labels.filter((l) => l === 'Samoyed')).toHaveLength(10);
  expect(requests).toEqual([]);
});
