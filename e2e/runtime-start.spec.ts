/**
 * onnxruntime-web's start-up can hang for good: its WASM threads are workers started from the URL
 * of its own module, and when that URL holds other code (a bundler inlined ORT into an app chunk,
 * or into the classifier's worker script) the threads never report back. The SDK turns that into
 * BACKEND_UNAVAILABLE. A server reproduces both faults on dist/ by what it answers to the
 * threads' requests for ORT's module (Sec-Fetch-Dest: worker); everything else is served as is.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, serveImages, test } from './fixtures.ts';

const root = path.resolve(import.meta.dirname, '..');
type Mode = 'ok' | 'hang' | 'misbundled';

/** Serves the repository under /<mode>/ with COOP/COEP (so that WASM runs threaded). */
async function faultyThreadServer(): Promise<{ server: Server; base: string; threadRequests: Record<Mode, number> }> {
  const threadRequests: Record<Mode, number> = { ok: 0, hang: 0, misbundled: 0 };
  const types: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
  const server = createServer((req, res) => {
    const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
    const url = new URL(req.url ?? '/', 'http://x');
    const [, mode, ...rest] = url.pathname.split('/') as [string, Mode, ...string[]];
    const rel = rest.join('/');
    if (rel === '') return res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end('<!doctype html><title>runtime start</title>');
    let body: Buffer;
    try {
      body = readFileSync(path.join(root, rel));
    } catch {
      return res.writeHead(404).end();
    }
    if (req.headers['sec-fetch-dest'] === 'worker' && rel.startsWith('dist/ort/')) {
      threadRequests[mode]++;
      // A thread gets ORT's module (ok), a script that never answers (hang), or the classifier's
      // own worker script, as when a bundler has inlined ORT into it (misbundled).
      if (mode === 'hang') body = Buffer.from('// a thread that never starts\n');
      if (mode === 'misbundled') body = readFileSync(path.join(root, 'dist/resnet-web.worker.js'));
    }
    res.writeHead(200, { ...headers, 'content-type': types[path.extname(rel)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://localhost:${(server.address() as AddressInfo).port}`, threadRequests };
}

test('a runtime whose WASM threads never start: BACKEND_UNAVAILABLE after runtimeTimeout, not a wait without end', async ({ browser }) => {
  const { server, base, threadRequests } = await faultyThreadServer();
  try {
    const attempt = async (mode: Mode, worker: boolean, runtimeTimeout?: number) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await serveImages(page);
      await page.goto(`${base}/${mode}/`);
      const r = await page.evaluate(
        async ({ mode, worker, runtimeTimeout }) => {
          const sdk: typeof import('../src/index.ts') = await import(`/${mode}/dist/resnet-web.js`);
          const t0 = performance.now();
          try {
            const c = await sdk.createClassifier({
              model: 'resnet20-cifar10', modelBaseUrl: `/${mode}/public/models/`, backend: 'wasm', worker, runtimeTimeout,
            });
            const label = (await c.classify('/test-images/cifar10/cat/0000.jpg'))[0].label;
            const threads = c.threads;
            await c.dispose();
            return { ok: true, threads, label, ms: performance.now() - t0, isolated: crossOriginIsolated };
          } catch (e) {
            const err = e as { code?: string; message: string };
            return { ok: false, code: err.code, message: err.message, ms: performance.now() - t0, isolated: crossOriginIsolated };
          }
        },
        { mode, worker, runtimeTimeout },
      );
      await context.close();
      return r;
    };

    // Control: the same server, threads served ORT's module, the same 5 s limit: it starts and runs threaded.
    for (const worker of [false, true]) {
      const ok = await attempt('ok', worker, 5000);
      expect(ok, `ok, worker: ${worker}`).toMatchObject({ ok: true, label: 'cat', threads: 2, isolated: true });
    }
    expect(threadRequests.ok).toBeGreaterThanOrEqual(2);

    // Threads that never answer: rejected 5 s after the .wasm arrived, in the page and in the worker
    // (two pages at once: both only wait).
    const hangs = await Promise.all([false, true].map((worker) => attempt('hang', worker, 5000)));
    for (const [k, hung] of hangs.entries()) {
      const worker = k === 1;
      expect(hung, `hang, worker: ${worker}`).toMatchObject({ ok: false, code: 'BACKEND_UNAVAILABLE' });
      expect(hung.message).toMatch(/onnxruntime-web \(wasm\) did not start within 5 s after its \.wasm file downloaded/);
      expect(hung.message).toMatch(/numThreads: 1/);
      expect(hung.ms).toBeGreaterThan(5000);
      expect(hung.ms).toBeLessThan(30_000);
    }
    expect(threadRequests.hang).toBeGreaterThanOrEqual(2);

    // The classifier's worker script started as ORT's thread (ORT inlined into it): it fails at once,
    // long before the default 30 s limit, and says why.
    const inlined = await attempt('misbundled', true);
    expect(inlined).toMatchObject({ ok: false, code: 'BACKEND_UNAVAILABLE' });
    expect(inlined.message).toMatch(/started a WASM thread from the classifier worker script, so the bundler inlined onnxruntime-web into that script/);
    expect(inlined.message).not.toMatch(/same version/); // not mistaken for mixed runtime files
    expect(inlined.ms).toBeLessThan(15_000);
    expect(threadRequests.misbundled).toBeGreaterThanOrEqual(1);
  } finally {
    server.close();
  }
});

test('runtimeTimeout is checked', async ({ harness }) => {
  const messages = await harness.evaluate(async () => {
    const out: string[] = [];
    for (const runtimeTimeout of [-1, Number.NaN, Infinity, '5' as unknown as number]) {
      out.push(await window.sdk.createClassifier({ model: 'resnet20-cifar10', worker: false, runtimeTimeout }).then(() => 'created', (e: Error) => `${e.name}: ${e.message}`));
    }
    return out;
  });
  for (const m of messages) expect(m).toMatch(/^RangeError: runtimeTimeout must be a number of milliseconds ≥ 0/);
});
