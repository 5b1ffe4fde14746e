/**
 * The page of `npm run bench:memory` (built by Vite as an app would be): the SDK and a photo
 * video for the bench to drive, or, with `?cycles=N`, create/classify/dispose cycles that the page
 * runs itself, with no DevTools client attached (see `cycles` in memory.ts). At each checkpoint it
 * collects garbage, waits `settle` ms and asks the bench to measure (`/__mark`), then goes on.
 */
import { photoVideo } from '../e2e/video.ts';
import { createClassifier } from '../src/index.ts';

declare global {
  interface Window {
    memoryBench: { createClassifier: typeof createClassifier; photoVideo: typeof photoVideo };
  }
}
window.memoryBench = { createClassifier, photoVideo };

const q = new URLSearchParams(location.search);
if (q.has('cycles')) void runCycles(Number(q.get('cycles')), q.get('model')!, q.get('worker') === '1', Number(q.get('settle')));

async function runCycles(n: number, model: string, worker: boolean, settle: number): Promise<void> {
  const gc = () => (globalThis as { gc?: () => void }).gc?.();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const mark = async (at: string) => {
    gc();
    await sleep(settle);
    gc();
    await sleep(500);
    await fetch(`/__mark?at=${encodeURIComponent(at)}`);
  };
  try {
    await mark('before');
    for (let i = 1; i <= n; i++) {
      const c = await createClassifier({ model, backend: 'wasm', worker });
      await c.classify('/photos/pytorch-hub-dog.jpg');
      await c.dispose();
      if (i === 1 || i % 10 === 0 || i === n) await mark(`after ${i}`);
    }
    await fetch('/__mark?at=done');
  } catch (e) {
    await fetch(`/__mark?at=${encodeURIComponent(`error: ${String(e)}`)}`);
  }
}
