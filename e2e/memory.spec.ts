/**
 * Memory given back, as the operating system sees it, with dist/ (the built package) on a
 * cross-origin isolated page: create/classify/dispose cycles end within 10 % of the tab's memory
 * after the first (issue 28's bound; `npm run bench:memory` runs the 50-cycle version, figures in
 * docs/measured/memory.md). reliability.spec.ts checks the same cycles from inside: JS heap,
 * WebAssembly memory, GPU buffers, and that no classifier worker is left.
 *
 * This file starts its own Chromium, with no DevTools client: Playwright attaches to every worker
 * a page starts, and what its agent keeps of each ended worker would count as the SDK's memory.
 * The page (e2e/pages/memory.js) runs the cycles itself and calls `/__mark` on this file's server
 * at each checkpoint, after a garbage collection and 15 s idle (a worker's threads end 2 s after
 * `dispose()`, and V8 returns the pages of ended workers' heaps 8 s after that); the server
 * measures the PSS of that Chromium's renderer processes, then answers.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBareChromium } from '../bench/proc-memory.ts';
import { expect, test } from './fixtures.ts';
import { serveStatic } from './static-server.ts';

const CHECKPOINTS = [1, 6, 12];

/** Runs the page's cycles in a Chromium of its own; the tab's PSS in MB at each checkpoint. */
async function cycles(query: Record<string, string>): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  let measure = () => 0;
  let finish!: (error?: Error) => void;
  const finished = new Promise<void>((resolve, reject) => (finish = (e) => (e ? reject(e) : resolve())));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/__mark') return serveStatic(req, res);
    const at = url.searchParams.get('at') ?? '';
    if (at === 'done') finish();
    else if (at.startsWith('error')) finish(new Error(`the page: ${at}`));
    else seen.set(at, measure());
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, r));
  const port = (server.address() as AddressInfo).port;
  const params = new URLSearchParams({ ...query, cycles: String(CHECKPOINTS.at(-1)), at: CHECKPOINTS.join(','), settle: '15000' });
  const browser = startBareChromium(`http://localhost:${port}/csp/e2e/pages/memory.html?${params}`);
  measure = () => browser.memory().tab / 1024;
  void browser.exited.then((code) => finish(new Error(`Chromium exited (${code}) before the cycles ended`)));
  try {
    await finished;
  } finally {
    await browser.close();
    await new Promise((r) => server.close(r));
  }
  return seen;
}

const runs = [
  // A worker's runtime ends with the worker.
  { path: 'worker', model: 'resnet56-cifar10', image: '/test/data/images/cifar10/ship/0003.jpg', label: 'ship' },
  // The page's thread keeps its runtime, whose WebAssembly memory never shrinks: the next
  // sessions must fit in what the first took (a reservation repeated on every load did not: +21 %
  // over 10 cycles of ResNet-50).
  { path: 'page', model: 'resnet50-untrained', image: '/test/data/images/classic/pytorch-hub-dog.jpg', label: '' },
];
for (const run of runs) {
  test(`${CHECKPOINTS.at(-1)} create/classify/dispose cycles (${run.path}, ${run.model}) end within 10 % of the tab's memory after the first`, async () => {
    test.setTimeout(240_000);
    const seen = await cycles({ model: run.model, worker: run.path === 'worker' ? '1' : '0', image: run.image, label: run.label });
    const [first, ...later] = CHECKPOINTS.map((c) => seen.get(String(c))!);
    console.log(`tab PSS (MB), ${run.path}, ${run.model}: after cycle ${CHECKPOINTS.map((c, i) => `${c} ${[first, ...later][i]?.toFixed(0)}`).join(', ')}`);
    expect(first).toBeGreaterThan(20); // the processes were found
    for (const m of later) expect(m).toBeLessThan(first * 1.1);
  });
}
