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
 */
export { DEFAULTS } from './classifier.ts';
export { createClassifier, classify } from './factory.ts';
export type { Classifier, ClassifierOptions, ClassifyOptions, StageTimings } from './classifier.ts';
export { ClassifierError, isClassifierError } from './errors.ts';
export type { ClassifierErrorCode } from './errors.ts';
export type { ImageInput } from './image.ts';
export type { Prediction } from './decode.ts';
export type { ClassRef, GroupPrediction, ResultControls, ResultFor } from './controls.ts';
export { hypernyms, hypernymSynsets, imagenetSynset } from './hypernyms.ts';
export type { Synset } from './wordnet.ts';
export type { Watch, WatchEnd, WatchOptions, WatchResult } from './watch.ts';
export { clearModelCache, modelCacheSize } from './cache.ts';
export type { LoadProgress } from './cache.ts';
export { MODELS, DEFAULT_MODEL, modelNames } from './models.ts';
export type { CompactFileSpec, Interpolation, ModelSpec, RegistryEntry } from './models.ts';
export { specFromConfig } from './config.ts';
export type { ConfigSpec } from './config.ts';
export { compactFileName } from './compact-file.ts';
export type { CompactPrecision, Precision } from './compact-file.ts';
export { modelFileSizes } from './precision.ts';
export type { AvailableFile, PrecisionRequest } from './precision.ts';
export type { Backend, BackendRequest } from './backend.ts';
export { tagPhotos, tagsToCSV, tagsToJSON } from './tagging.ts';
export type { Tagger, TagOptions, TagResult } from './tagging.ts';
export { cosineSimilarity, DEFAULT_DUPLICATE_THRESHOLD, findDuplicates, nearest, quantizeEmbedding } from './similarity.ts';
export type { DuplicateOptions, Embedding, Neighbour } from './similarity.ts';
export type { EmbedOptions } from './embedding.ts';
