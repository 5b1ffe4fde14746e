/**
 * Loading a model in this thread: options checked, labels and model file fetched together, the
 * embedding output added to the graph, the session opened (an abort rejects at once), and the
 * classifier returned. The steps: model/ (spec, files, labels, graph), runtime/ (the session).
 */
import type { Classifier } from '../api/classifier.ts';
import { DEFAULTS, type ClassifierOptions } from '../api/options.ts';
import { abortable, aborted } from '../common/abort.ts';
import { LoadClock, measure } from '../common/clock.ts';
import { ClassifierError } from '../common/errors.ts';
import type { CacheReport } from '../model/cache.ts';
import { prepareEmbedding } from '../model/features.ts';
import { labelsInModel, loadLabels } from '../model/labels.ts';
import { checkPrecision, expectedFileBytes, loadModelFile } from '../model/precision.ts';
import { MODELS } from '../model/registry.ts';
import { resolveModel } from '../model/resolve.ts';
import { checkTopK } from '../output/controls.ts';
import { reserveFor } from '../runtime/reserve.ts';
import { reportNotCached } from '../runtime/notices.ts';
import { openSession, startBackend, type ModelSession } from '../runtime/session.ts';
import { OnnxClassifier } from './classifier.ts';

/** Loads a model in this thread and returns a {@link Classifier} (see `createClassifier` for the worker choice). */
export async function createLocalClassifier(options: ClassifierOptions = {}): Promise<Classifier> {
  const backendRequest = options.backend ?? DEFAULTS.backend;
  if (!['auto', 'webgpu', 'wasm'].includes(backendRequest)) {
    throw new RangeError(`backend must be 'auto', 'webgpu' or 'wasm', got ${String(backendRequest)}`);
  }
  const defaultTopK = checkTopK(options.topK ?? DEFAULTS.topK);
  const { runtimeTimeout } = options;
  if (runtimeTimeout !== undefined && !(typeof runtimeTimeout === 'number' && runtimeTimeout >= 0 && runtimeTimeout !== Infinity)) {
    throw new RangeError(`runtimeTimeout must be a number of milliseconds ≥ 0 (0: no limit), got ${String(runtimeTimeout)}`);
  }
  const spec = resolveModel(options.model ?? DEFAULTS.model, options.modelBaseUrl ?? DEFAULTS.modelBaseUrl);
  const precisionRequest = options.precision === undefined ? (spec.precision ?? 'fp32') : checkPrecision(options.precision);
  const entry = typeof options.model === 'object' ? undefined : MODELS[options.model ?? DEFAULTS.model];
  const signal = options.signal;
  if (signal?.aborted) throw aborted(signal);
  const clock = new LoadClock();

  const fileOptions = {
    name: entry?.name ?? spec.url,
    bytes: entry?.bytes,
    cache: options.cache ?? DEFAULTS.cache,
  };
  const backendOptions = {
    backend: backendRequest, numThreads: options.numThreads, wasmPaths: options.wasmPaths, runtimeTimeout, clock,
    reserveBytes: reserveFor(expectedFileBytes(spec, precisionRequest, entry?.bytes)),
  };
  // The runtime starts (its import, WebAssembly compile, threads) while the labels and the model
  // file are read: it needs no model.
  const started = startBackend(backendOptions);
  let cacheReport: Promise<CacheReport> | undefined;
  const [given, { file, bytes }] = await abortable(
    Promise.all([
      typeof spec.labels === 'string' ? clock.time('labels', () => loadLabels(spec.labels as string, signal)) : Promise.resolve(spec.labels ?? null),
      loadModelFile(spec, precisionRequest, { ...fileOptions, onProgress: options.onProgress, signal, clock, onCacheReport: (r) => (cacheReport = r) }),
      started, // a runtime that cannot start fails the load at once, not after the download
    ]),
    signal, // the runtime's start cannot be interrupted: an abort rejects at once all the same
  );
  const labels = given ?? labelsInModel(bytes, spec.url);
  if (entry && labels.length !== entry.classes) {
    throw new ClassifierError(
      'MODEL_LOAD_FAILED',
      `the labels at ${String(spec.labels)} list ${labels.length} classes; ${entry.name} has ${entry.classes}`,
    );
  }
  if (signal?.aborted) throw aborted(signal);
  const sessionOptions = {
    backend: backendRequest,
    inputName: spec.inputName,
    outputName: spec.outputName,
    inputSize: spec.inputSize,
    layout: spec.layout,
    classes: labels.length,
    numThreads: options.numThreads,
    wasmPaths: options.wasmPaths,
    warmUp: options.warmUp,
    runtimeTimeout,
    foldDequantize: file.compact && file.precision === 'int8',
  };
  // Creating the session (starting onnxruntime-web, compiling shaders) can take seconds: an abort
  // rejects at once, and the session, when it comes, is released.
  // The pooled features become a second output of the graph (see model/graph.ts and model/features.ts).
  const prepared = clock.timeSync('graph', () => prepareEmbedding(bytes, spec));
  // A downloaded file is stored while the session is created: the classifier then says whether
  // the next visit will find it (`cacheState`).
  const t0 = performance.now();
  const cached = (cacheReport ?? Promise.resolve<CacheReport>({ state: 'off', reason: 'not read through the model cache' })).then((r) => {
    if (r.state === 'stored' || r.state === 'not-stored') clock.add('cacheWrite', t0);
    return r;
  });
  const [session, { state: cacheState, reason: cacheReason }] = await abortable(
    Promise.all([openSession(prepared.bytes, { ...sessionOptions, embeddingOutput: prepared.output, clock }, started), cached]),
    signal,
    ([s]) => void s.release(),
  );
  if (cacheState === 'not-stored') reportNotCached(cacheReason!);
  const reopenOnWasm = wasmReopener(spec, file.precision, fileOptions, sessionOptions);
  const classifier = new OnnxClassifier(spec, file.precision, Object.freeze([...labels]), session, defaultTopK, reopenOnWasm, prepared.missing);
  classifier.cacheState = cacheState;
  classifier.cacheReason = cacheReason;
  const total = measure('load', clock.start);
  classifier.loadTimings = Object.freeze({ ...clock.stages, total, worker: 0, source: clock.source });
  return classifier;
}

/**
 * After a WebGPU device loss: the same model on WASM (its file read again, from the cache if kept).
 * Made here rather than in `createLocalClassifier`: a closure there would keep that function's
 * variables alive as long as the classifier, the model file's bytes among them (98 MB for
 * ResNet-50), which the runtime has copied and no longer needs.
 */
function wasmReopener(
  spec: Parameters<typeof loadModelFile>[0],
  precision: Parameters<typeof loadModelFile>[1],
  fileOptions: Parameters<typeof loadModelFile>[2],
  sessionOptions: Omit<Parameters<typeof openSession>[1], 'embeddingOutput' | 'clock'>,
): () => Promise<ModelSession> {
  return async () => {
    const again = prepareEmbedding((await loadModelFile(spec, precision, fileOptions)).bytes, spec);
    return openSession(again.bytes, { ...sessionOptions, backend: 'wasm', embeddingOutput: again.output });
  };
}
