/**
 * resnet-web: ImageNet classification in the browser with a ResNet on onnxruntime-web
 * (WebGPU, with WASM as the fallback).
 *
 * @example
 * ```ts
 * import { createClassifier } from 'resnet-web';
 * const classifier = await createClassifier({ model: 'resnet50' });
 * const top5 = await classifier.classify(document.querySelector('img')!);
 * ```
 *
 * @module resnet-web
 */
// The contract and the public functions (src/api/).
export { createClassifier, classify } from './api/create.ts';
export { DEFAULTS } from './api/options.ts';
export type { ClassifierOptions, ClassifyOptions, EmbedOptions, LogitsOptions } from './api/options.ts';
export type { LearnedClassifier, LearnedClassifyOptions, LearnedWatchOptions, LearnExamples, LearnOptions, LearnProgress } from './api/learned.ts';
export type { Analysis, Classifier, LoadTimings, StageTimings } from './api/classifier.ts';
export type { Watch, WatchEnd, WatchOptions, WatchResult } from './api/watch.ts';
export { tagPhotos, tagsToCSV, tagsToJSON } from './api/tagging.ts';
export type { Tagger, TagOptions, TagResult } from './api/tagging.ts';
export { ClassifierError, isClassifierError } from './common/errors.ts';
export type { ClassifierErrorCode } from './common/errors.ts';
// What goes in: images (src/input/), and the part of them a call sees (src/preprocess/).
export type { ImageInput } from './input/decode.ts';
export type { Region, Rotation, ViewOptions } from './preprocess/view.ts';
// Models: the registry, specs, files and the model cache (src/model/).
export { MODELS, DEFAULT_MODEL, modelNames } from './model/registry.ts';
export type { CompactFileSpec, CompactPrecision, Interpolation, ModelSpec, Precision, RegistryEntry } from './model/spec.ts';
export { specFromConfig } from './model/config.ts';
export type { ConfigSpec } from './model/config.ts';
export { compactFileName } from './model/compact-file.ts';
export { modelFileSizes } from './model/precision.ts';
export type { AvailableFile, PrecisionRequest } from './model/precision.ts';
export { clearModelCache, modelCacheSize } from './model/cache.ts';
export { cachedModels, removeCachedModel } from './model/cached.ts';
export type { CachedModel } from './model/cached.ts';
export type { CacheState, LoadProgress, ModelCacheEntry, ModelCacheSize } from './model/cache.ts';
export type { Backend, BackendRequest } from './runtime/backend.ts';
// What comes out: predictions, result controls, embeddings (src/output/), WordNet (src/wordnet/).
export type { Prediction } from './output/decode.ts';
export type { ClassRef, GroupPrediction, ResultControls, ResultFor } from './output/controls.ts';
export { cosineSimilarity, DEFAULT_DUPLICATE_THRESHOLD, findDuplicates, nearest, quantizeEmbedding } from './output/similarity.ts';
export type { DuplicateOptions, Embedding, Neighbour } from './output/similarity.ts';
export type { LearnedJSON } from './output/learned.ts';
export { hypernyms, hypernymSynsets, imagenetSynset } from './wordnet/hypernyms.ts';
export type { Synset } from './wordnet/synsets.ts';
