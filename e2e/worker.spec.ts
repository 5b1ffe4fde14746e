/** worker: true (the default): the main thread stays responsive; WebGPU works in the worker. */
import { expect, test } from './fixtures.ts';

test('no main-thread long task over 50 ms while ResNet-50 loads and classifies in the worker', async ({ harness }) => {
  const r = await harness.evaluate(async () => {
    const blob = await (await fetch('/test-images/classic/pytorch-hub-dog.jpg')).blob();
    const measure = async (worker: boolean) => {
      const tasks: number[] = [];
      const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push(e.duration)));
      observer.observe({ type: 'longtask' });
      const c = await window.sdk.createClassifier({ model: 'resnet50-untrained', backend: 'wasm', worker });
      const logits = await c.logits(blob);
      await c.dispose();
      await new Promise((res) => setTimeout(res, 100)); // let the observer deliver
      observer.disconnect();
      return { tasks, argmax: logits.indexOf(Math.max(...logits)) };
    };
    const inWorker = await measure(true);
    const pageFetchedModel = performance.getEntriesByType('resource').some((e) => e.name.endsWith('.onnx'));
    const inThread = await measure(false);
    return { inWorker, inThread, pageFetchedModel };
  });
  const max = (t: number[]) => Math.max(0, ...t);
  console.log(
    `main-thread long tasks: worker path ${r.inWorker.tasks.length} (max ${max(r.inWorker.tasks).toFixed(0)} ms); ` +
      `in-thread path ${r.inThread.tasks.length} (max ${max(r.inThread.tasks).toFixed(0)} ms)`,
  );
  expect(r.pageFetchedModel).toBe(false); // the worker fetched it
  expect(r.inWorker.argmax).toBe(r.inThread.argmax); // same model, same answer
  expect(r.inWorker.tasks.filter((d) => d > 50)).toEqual([]);
  // The measurement can see blocking: in this thread, loading and running do block.
  expect(max(r.inThread.tasks)).toBeGreaterThan(50);
});

test('WebGPU inside the worker', async ({ harness }) => {
  const adapter = await harness.evaluate(async () => !!(await navigator.gpu?.requestAdapter()));
  test.skip(!adapter, 'this browser has no WebGPU adapter');
  const r = await harness.evaluate(async () => {
    const c = await window.sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'webgpu', worker: true });
    const bitmap = await createImageBitmap(await (await fetch('/test-images/cifar10/ship/0003.jpg')).blob());
    const top = await c.classify(bitmap);
    const stillUsable = bitmap.width; // the caller's bitmap was copied, not transferred away
    await c.dispose();
    return { backend: c.backend, label: top[0].label, stillUsable, timings: c.lastTimings };
  });
  expect(r.backend).toBe('webgpu');
  expect(r.label).toBe('ship');
  expect(r.stillUsable).toBeGreaterThan(0);
  expect(r.timings?.inference).toBeGreaterThan(0);
});
