/**
 * The worker side of `worker: true`: decoding, preprocessing and the session run here, off the
 * page's main thread. It hosts one classifier; the main thread's proxy is client.ts.
 */
import type { Classifier } from '../api/classifier.ts';
import { createLocalClassifier as createClassifier } from '../local/load.ts';
import { ClassifierError } from '../common/errors.ts';
import type { FromWorker, RuntimeState, ToWorker, WireError } from './protocol.ts';

const runtimeState = (c: Classifier): RuntimeState => ({ backend: c.backend, fallbackReason: c.fallbackReason, threads: c.threads, threadsReason: c.threadsReason });

/**
 * onnxruntime-web starts each WASM thread as a worker on the URL of its own module. If this
 * script is that URL, a bundler has inlined onnxruntime-web into it (e.g. Vite's default
 * `worker.format: 'iife'`), and the thread would wait here for ever while the runtime waits for
 * the thread. Failing at once turns that hang into an error the classifier reports.
 */
if ((self as { name?: string }).name?.startsWith('em-pthread')) {
  throw new Error(
    'resnet-web: onnxruntime-web started a WASM thread from the classifier worker script, so the bundler inlined ' +
      'onnxruntime-web into that script. Build workers as ES modules (Vite: worker: { format: "es" }), so that ' +
      'onnxruntime-web keeps a chunk of its own, or set numThreads: 1.',
  );
}

const scope = self as unknown as { postMessage(m: FromWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
let classifier: Promise<Classifier> | null = null;
const running = new Map<number, AbortController>();

function wire(e: unknown): WireError {
  if (e instanceof ClassifierError) return { name: e.name, code: e.code, message: e.message };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

scope.onmessage = async ({ data: msg }) => {
  if (msg.type === 'create') {
    classifier = createClassifier({
      ...msg.options,
      onProgress: msg.progress ? (p) => scope.postMessage({ type: 'progress', ...p }) : undefined,
    });
    try {
      const c = await classifier;
      scope.postMessage({
        type: 'created', ...runtimeState(c), precision: c.precision, model: { ...c.model }, labels: [...c.labels],
        canEmbed: c.canEmbed, loadTimings: { ...c.loadTimings }, cacheState: c.cacheState, cacheReason: c.cacheReason,
      });
    } catch (e) {
      scope.postMessage({ type: 'error', id: null, error: wire(e) });
    }
  } else if (msg.type === 'run') {
    const abort = new AbortController();
    running.set(msg.id, abort);
    try {
      const c = await classifier!;
      const options = { ...msg.controls, signal: abort.signal };
      const value =
        msg.op === 'classifyBatch'
          ? await c.classifyBatch(msg.images, options)
          : msg.op === 'logits'
            ? await c.logits(msg.images[0], options)
            : msg.op === 'analyze'
              ? await c.analyze(msg.images[0], options)
              : await c.classify(msg.images[0], options);
      // Embeddings and logits cross as transferred buffers, not copies.
      const buffers = value instanceof Float32Array ? [value.buffer] : 'embedding' in value ? [value.embedding.buffer] : [];
      scope.postMessage(
        { type: 'result', id: msg.id, value, timings: c.lastTimings, ...runtimeState(c) },
        buffers as ArrayBuffer[],
      );
    } catch (e) {
      scope.postMessage({ type: 'error', id: msg.id, error: wire(e) });
    } finally {
      running.delete(msg.id);
      for (const img of msg.images) if (img instanceof ImageBitmap) img.close();
    }
  } else if (msg.type === 'abort') {
    running.get(msg.id)?.abort();
  } else if (msg.type === 'dispose') {
    await (await classifier?.catch(() => null))?.dispose();
    scope.postMessage({ type: 'disposed' });
  }
};
