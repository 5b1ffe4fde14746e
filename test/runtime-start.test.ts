import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClassifierError } from '../src/common/errors.ts';
import { STARTUP_PROBE_MODEL, withStartupWatchdog as watchdog } from '../src/runtime/watchdog.ts';

const withStartupWatchdog = <T>(start: Promise<T>, backend: string, limitMs: number) => watchdog(start, { backend, version: '1.30.0', limitMs });

// Node has Resource Timing for fetch(), as browsers do: the watchdog sees the .wasm arrive.
const server = createServer((req, res) => res.end(req.url?.includes('.wasm') ? '\0asm' : 'other'));
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const never = () => new Promise<never>(() => undefined);
const settled = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p.then(() => 'resolved', () => 'rejected'), new Promise((r) => setTimeout(() => r('pending'), ms))]);

describe('withStartupWatchdog', () => {
  it('passes a start-up through, value or error', async () => {
    await expect(withStartupWatchdog(Promise.resolve(42), 'wasm', 1000)).resolves.toBe(42);
    await expect(withStartupWatchdog(Promise.reject(new Error('no available backend')), 'wasm', 1000)).rejects.toThrow('no available backend');
  });

  it('turns a start-up that hangs after its .wasm downloaded into BACKEND_UNAVAILABLE', async () => {
    const t0 = performance.now();
    const watched = withStartupWatchdog(never(), 'wasm', 300);
    await (await fetch(`${base}/assets/ort-wasm-simd-threaded-Ab12.wasm`)).arrayBuffer();
    const e = await watched.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ClassifierError);
    expect((e as ClassifierError).code).toBe('BACKEND_UNAVAILABLE');
    expect((e as ClassifierError).message).toMatch(/onnxruntime-web \(wasm\) did not start within 0.3 s after its \.wasm file downloaded/);
    expect((e as ClassifierError).message).toMatch(/numThreads: 1/);
    expect((e as ClassifierError).message).toMatch(/same version as its JavaScript \(1\.30\.0\)/);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(300);
  });

  it('does not time the download: no .wasm arrived, no timeout', async () => {
    const watched = withStartupWatchdog(never(), 'wasm', 100);
    await (await fetch(`${base}/model.onnx`)).arrayBuffer(); // other files do not start the clock
    expect(await settled(watched, 600)).toBe('pending');
  });

  it('a .wasm downloaded before the start-up began does not start the clock', async () => {
    await (await fetch(`${base}/earlier.wasm`)).arrayBuffer();
    const watched = withStartupWatchdog(never(), 'wasm', 100);
    expect(await settled(watched, 600)).toBe('pending');
  });

  it('a limit of 0 waits for ever', async () => {
    const watched = withStartupWatchdog(never(), 'webgpu', 0);
    await (await fetch(`${base}/x.wasm?v=2`)).arrayBuffer();
    expect(await settled(watched, 400)).toBe('pending');
  });
});

describe('withStartupWatchdog: an uncaught error while the runtime starts', () => {
  /** This scope as a worker's (no document) with an event target, as the classifier's worker has. */
  function asWorkerScope() {
    const target = new EventTarget();
    const listeners = new Set<unknown>();
    const g = globalThis as unknown as Record<string, unknown>;
    g.addEventListener = (type: string, fn: EventListener) => (listeners.add(fn), target.addEventListener(type, fn));
    g.removeEventListener = (type: string, fn: EventListener) => (listeners.delete(fn), target.removeEventListener(type, fn));
    const fire = (message: string, filename: string, error: unknown = new TypeError(message)) => {
      const event = Object.assign(new Event('error', { cancelable: true }), { message, filename, error });
      target.dispatchEvent(event);
      return event;
    };
    return { fire, listeners, restore: () => { delete g.addEventListener; delete g.removeEventListener; } };
  }

  it('rejects at once with the error and where it was thrown (as .mjs and .wasm of different versions do)', async () => {
    const scope = asWorkerScope();
    try {
      const watched = withStartupWatchdog(never(), 'wasm', 60_000);
      scope.fire('yd[a] is not a function', 'http://x/other-ort/ort-wasm-simd-threaded.mjs');
      const e = (await watched.catch((x: unknown) => x)) as ClassifierError;
      expect(e.code).toBe('BACKEND_UNAVAILABLE');
      expect(e.message).toMatch(/onnxruntime-web \(wasm\) failed while starting: yd\[a\] is not a function \(in http:\/\/x\/other-ort\/ort-wasm-simd-threaded\.mjs\)/);
      expect(e.message).toMatch(/same version as its JavaScript \(1\.30\.0\)/);
    } finally {
      scope.restore();
    }
  });

  it("passes on the message of an error in one of ORT's threads, which reaches this worker as a rethrown ErrorEvent, and keeps it from the page", async () => {
    const scope = asWorkerScope();
    try {
      const watched = withStartupWatchdog(never(), 'wasm', 60_000);
      const thread = { message: 'Uncaught Error: resnet-web: onnxruntime-web started a WASM thread from the classifier worker script', filename: 'http://x/worker.js' };
      const event = scope.fire('Uncaught [object ErrorEvent]', 'http://x/ort.mjs', thread);
      const e = (await watched.catch((x: unknown) => x)) as ClassifierError;
      expect(e.code).toBe('BACKEND_UNAVAILABLE');
      expect(e.message).toBe(`onnxruntime-web (wasm) could not start: ${thread.message}`);
      expect(event.defaultPrevented).toBe(true); // not also the worker's uncaught error
    } finally {
      scope.restore();
    }
  });

  it('stops listening once the runtime has started', async () => {
    const scope = asWorkerScope();
    try {
      const watched = withStartupWatchdog(Promise.resolve('ok'), 'wasm', 60_000);
      expect(scope.listeners.size).toBe(1);
      await watched;
      expect(scope.listeners.size).toBe(0);
    } finally {
      scope.restore();
    }
  });
});

describe('STARTUP_PROBE_MODEL', () => {
  it('is an ONNX model that onnxruntime loads and runs: Identity on float32[1]', async () => {
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(STARTUP_PROBE_MODEL);
    expect([session.inputNames, session.outputNames]).toEqual([['x'], ['y']]);
    const out = await session.run({ x: new ort.Tensor('float32', [42], [1]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([42]);
    await session.release();
  });
});
