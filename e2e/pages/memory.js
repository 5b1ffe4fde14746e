// The ES module from dist/, for e2e/memory.spec.ts. Plain JS: the static server does not compile.
// The page runs create/classify/dispose cycles itself (the test's Chromium has no DevTools client,
// whose agent in every worker would count as the SDK's memory) and calls /__mark at each
// checkpoint, after a garbage collection and `settle` ms idle; the test measures the tab then.
import { createClassifier } from '../../dist/resnet-web.js';

const q = new URLSearchParams(location.search);
const n = Number(q.get('cycles'));
const at = q.get('at').split(',').map(Number);
const settle = Number(q.get('settle'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mark = async (what) => {
  globalThis.gc();
  await sleep(settle);
  globalThis.gc();
  await sleep(500);
  await fetch(`/__mark?at=${encodeURIComponent(what)}`);
};

try {
  if (!crossOriginIsolated) throw new Error('not cross-origin isolated: no WASM threads');
  // With `held`: the tab before the first classifier and while it is loaded (one classify done).
  const held = q.get('held') === '1';
  if (held) await mark('before');
  for (let i = 1; i <= n; i++) {
    const c = await createClassifier({ model: q.get('model'), modelBaseUrl: '../../public/models/', backend: 'wasm', worker: q.get('worker') === '1' });
    const top = await c.classify(q.get('image'));
    if (held && i === 1) await mark('held');
    await c.dispose();
    const label = q.get('label'); // none for a model with random weights
    if (typeof top[0]?.label !== 'string' || (label && top[0].label !== label)) throw new Error(`cycle ${i}: ${top[0]?.label}, not ${label}`);
    if (at.includes(i)) await mark(String(i));
  }
  await fetch('/__mark?at=done');
} catch (e) {
  await fetch(`/__mark?at=${encodeURIComponent(`error: ${String(e)}`)}`);
}
