/**
 * Learn your own tags: `classifier.learn(examples)` embeds a few photos per label and trains a
 * small head on the embeddings (output/head.ts) in this thread; the `LearnedClassifier` classifies
 * through the base classifier's `embed` (in its worker or on the page, WASM or WebGPU) and that
 * head. `toJSON()` keeps it (output/learned.ts), `loadLearned` restores it.
 */
import { aborted } from '../common/abort.ts';
import { ClassifierError, isClassifierError } from '../common/errors.ts';
import type { ImageInput } from '../input/decode.ts';
import { decoderFor } from '../output/controls.ts';
import type { Prediction } from '../output/decode.ts';
import { exampleCode, headLogits, trainHeadAsync, trainHeadSync, type Head } from '../output/head.ts';
import { checkLabels, learnedFromJSON, learnedToJSON, type LearnedJSON, type LearnedState } from '../output/learned.ts';
import { DEFAULTS, type ClassifyOptions, type EmbedOptions } from './options.ts';
import { startWatch, type Watch, type Watchers, type WatchOptions, type WatchResult } from './watch.ts';

/** Progress of `learn`/`addExamples`: photos embedded so far, of how many. */
export interface LearnProgress {
  /** Photos embedded so far. */
  done: number;
  /** Photos to embed in all. */
  total: number;
}

/** Options of `classifier.learn` and `LearnedClassifier.addExamples`. */
export interface LearnOptions {
  /** Cancels learning: it rejects with `ABORTED` (nothing is kept). */
  signal?: AbortSignal;
  /** Called after each photo is embedded (and once with `done: 0` at the start). */
  onProgress?: (p: LearnProgress) => void;
}

/** Photos per label: `{ 'my cat': [img1, img2], receipt: [blob1] }`. Labels keep this order. */
export type LearnExamples = Record<string, readonly ImageInput[]>;

/** Per-call options of a learned classifier: `classify`'s, less `groups` (its labels are its own). */
export type LearnedClassifyOptions = Omit<ClassifyOptions, 'groups'>;

/** Options of a learned classifier's `watch`. */
export type LearnedWatchOptions = Omit<WatchOptions, 'groups'>;

/**
 * A classifier of your own labels, learned from example photos on the device. Scores are the
 * softmax over its labels; "none of these" is a `scoreThreshold` (a photo of none of them still
 * scores its closest labels).
 */
export interface LearnedClassifier {
  /** The labels, in the order they were given. */
  readonly labels: readonly string[];
  /** How many example photos each label has. */
  readonly examples: Readonly<Record<string, number>>;
  /** The base model's id (what `toJSON` records and `loadLearned` checks). */
  readonly model: {
    /** The registry name, or the model file's name for a spec without one. */
    readonly name: string;
  };
  /** Top-k labels of one image (`topK`, `scoreThreshold`, `allow`, `deny`, `region`, `rotation`, `signal` as for `classify`). */
  classify(image: ImageInput, options?: LearnedClassifyOptions): Promise<Prediction[]>;
  /** Top-k labels of each image. */
  classifyBatch(images: ImageInput[], options?: LearnedClassifyOptions): Promise<Prediction[][]>;
  /** Classifies a video's frames as `classifier.watch` does, with these labels. */
  watch(video: HTMLVideoElement, onResult: (result: WatchResult) => void, options?: LearnedWatchOptions): Watch;
  /** Adds photos to a label (a new one or an existing one) and learns again. */
  addExamples(label: string, images: readonly ImageInput[], options?: LearnOptions): Promise<void>;
  /** Forgets a label and its photos and learns again (at least two labels must remain). */
  removeLabel(label: string): void;
  /** Plain JSON (no images): the labels, each example's embedding code and the head. `loadLearned` restores it with identical answers. */
  toJSON(): LearnedJSON;
}

/** What learning needs of a classifier (both classifiers have it). */
export interface Embedder {
  readonly model: { readonly url: string };
  readonly canEmbed: boolean;
  embed(image: ImageInput, options?: EmbedOptions): Promise<Float32Array>;
}

/** The id learned JSON records for a model: its registry name, else its file's name. */
export function modelId(model: { readonly url: string }): string {
  const name = (model as { name?: unknown }).name;
  return typeof name === 'string' && name ? name : (model.url.split(/[?#]/)[0].split('/').pop() ?? model.url);
}

const checkAbort = (signal?: AbortSignal) => {
  if (signal?.aborted) throw aborted(signal);
};

/** Embeds `images` of `label` into example codes, naming the label and position of a bad image. */
async function embedExamples(
  base: Embedder,
  label: string,
  images: readonly ImageInput[],
  options: LearnOptions,
  progress: { done: number; total: number },
): Promise<Int8Array[]> {
  const codes: Int8Array[] = [];
  for (const [i, image] of images.entries()) {
    checkAbort(options.signal);
    let raw: Float32Array;
    try {
      raw = await base.embed(image, { normalize: false, signal: options.signal });
    } catch (e) {
      if (isClassifierError(e, 'INVALID_IMAGE')) throw new ClassifierError('INVALID_IMAGE', `examples["${label}"][${i}]: ${e.message}`, { cause: e });
      throw e;
    }
    codes.push(exampleCode(raw));
    progress.done++;
    options.onProgress?.({ ...progress });
  }
  return codes;
}

/** The labels and photos of `learn(examples)`, checked: what learning needs, said plainly. */
function checkExamples(examples: unknown): [string, readonly ImageInput[]][] {
  if (typeof examples !== 'object' || examples === null || Array.isArray(examples) || examples instanceof Map) {
    throw new TypeError('learn(examples): examples must be an object of label → photos, e.g. { cat: [img1, img2], dog: [img3, img4] }');
  }
  const entries = Object.entries(examples as Record<string, unknown>);
  if (entries.length < 2) {
    throw new RangeError(
      `learn needs at least two labels with at least one photo each; got ${entries.length ? `only "${entries[0][0]}"` : 'none'}. ` +
        'A learned classifier chooses between its labels (for "none of these", use scoreThreshold).',
    );
  }
  checkLabels(entries.map(([l]) => l), 'learn(examples)');
  for (const [label, photos] of entries) {
    if (!Array.isArray(photos)) throw new TypeError(`learn(examples): examples["${label}"] must be an array of photos`);
    if (photos.length === 0) throw new RangeError(`learn(examples): the label "${label}" has no photos; give it at least one`);
  }
  return entries as [string, readonly ImageInput[]][];
}

class Learned implements LearnedClassifier {
  private readonly watchers: Watchers = new Set();
  private updates: Promise<void> = Promise.resolve();
  readonly model: { readonly name: string };

  constructor(
    private readonly base: Embedder,
    private state: LearnedState,
  ) {
    this.model = Object.freeze({ name: state.model });
  }

  get labels(): readonly string[] {
    return this.state.labels;
  }

  get examples(): Readonly<Record<string, number>> {
    return Object.freeze(Object.fromEntries(this.state.labels.map((l, k) => [l, this.state.examples[k].length])));
  }

  async classify(image: ImageInput, options: LearnedClassifyOptions = {}): Promise<Prediction[]> {
    const { topK, scoreThreshold, allow, deny, signal, region, rotation } = options;
    const decode = await decoderFor(this, { topK, scoreThreshold, allow, deny }, Math.min(DEFAULTS.topK, this.state.labels.length));
    const raw = await this.base.embed(image, { normalize: false, signal, region, rotation });
    return decode(this.scores(raw));
  }

  async classifyBatch(images: ImageInput[], options: LearnedClassifyOptions = {}): Promise<Prediction[][]> {
    if (!Array.isArray(images)) throw new TypeError('classifyBatch(images): images must be an array');
    const out: Prediction[][] = [];
    for (const image of images) out.push(await this.classify(image, options));
    return out;
  }

  watch(video: HTMLVideoElement, onResult: (result: WatchResult) => void, options?: LearnedWatchOptions): Watch {
    return startWatch(this, this.watchers, video, onResult, options);
  }

  async addExamples(label: string, images: readonly ImageInput[], options: LearnOptions = {}): Promise<void> {
    if (typeof label !== 'string' || label.trim() === '') throw new RangeError(`addExamples(label): label must be a non-empty string, got ${String(label)}`);
    if (!Array.isArray(images) || images.length === 0) throw new RangeError(`addExamples("${label}", images): images must be a non-empty array of photos`);
    const run = this.updates.then(async () => {
      const codes = await embedExamples(this.base, label, images, options, { done: 0, total: images.length });
      checkAbort(options.signal);
      const old = this.state;
      const k = old.labels.indexOf(label);
      const labels = k < 0 ? [...old.labels, label] : old.labels;
      const examples = k < 0 ? [...old.examples, codes] : old.examples.map((c, j) => (j === k ? [...c, ...codes] : c));
      const head = await train(examples, k < 0 ? undefined : old.head, options.signal);
      this.state = { ...old, labels, examples, head };
    });
    this.updates = run.catch(() => undefined);
    return run;
  }

  removeLabel(label: string): void {
    const k = this.state.labels.indexOf(label);
    if (k < 0) throw new RangeError(`removeLabel: "${label}" is not one of the labels (${this.state.labels.join(', ')})`);
    if (this.state.labels.length <= 2) throw new RangeError(`removeLabel: a learned classifier needs at least two labels; "${label}" is one of the last two`);
    const labels = this.state.labels.filter((_, j) => j !== k);
    const examples = this.state.examples.filter((_, j) => j !== k);
    const { codes, classOf } = flatten(examples);
    this.state = { ...this.state, labels, examples, head: trainHeadSync(codes, classOf, labels.length) };
  }

  toJSON(): LearnedJSON {
    return learnedToJSON(this.state);
  }

  /** The head's scores for raw pooled features (checked against the head's size). */
  private scores(raw: Float32Array): Float32Array {
    const { head, model } = this.state;
    if (raw.length !== head.dim) {
      throw new ClassifierError(
        'LEARNED_MISMATCH',
        `this learned classifier was learned on "${model}" (${head.dim}-value embeddings); the classifier it runs on gives ${raw.length}-value embeddings`,
      );
    }
    return headLogits(head, exampleCode(raw));
  }
}

function flatten(examples: readonly Int8Array[][]): { codes: Int8Array[]; classOf: Int32Array } {
  const codes = examples.flat();
  const classOf = new Int32Array(codes.length);
  let i = 0;
  examples.forEach((c, k) => c.forEach(() => (classOf[i++] = k)));
  return { codes, classOf };
}

function train(examples: readonly Int8Array[][], init: Head | undefined, signal?: AbortSignal): Promise<Head> {
  const { codes, classOf } = flatten(examples);
  return trainHeadAsync(codes, classOf, examples.length, { init }, () => checkAbort(signal));
}

/** `classifier.learn(examples, options)` of both classifiers. */
export async function learn(base: Embedder, examples: LearnExamples, options: LearnOptions = {}): Promise<LearnedClassifier> {
  const entries = checkExamples(examples);
  const progress = { done: 0, total: entries.reduce((s, [, photos]) => s + photos.length, 0) };
  checkAbort(options.signal);
  if (!base.canEmbed) {
    // The base classifier's own message says why (no Gemm/MatMul before the logits, …).
    await base.embed(entries[0][1][0]);
  }
  options.onProgress?.({ ...progress });
  const perLabel: Int8Array[][] = [];
  for (const [label, photos] of entries) perLabel.push(await embedExamples(base, label, photos, options, progress));
  const head = await train(perLabel, undefined, options.signal);
  return new Learned(base, { model: modelId(base.model), dim: head.dim, labels: entries.map(([l]) => l), examples: perLabel, head });
}

/** `classifier.loadLearned(saved)` of both classifiers. */
export async function loadLearned(base: Embedder, saved: unknown): Promise<LearnedClassifier> {
  const state = learnedFromJSON(saved);
  const id = modelId(base.model);
  if (state.model !== id) {
    throw new ClassifierError(
      'LEARNED_MISMATCH',
      `this JSON was learned on "${state.model}" (${state.dim}-value embeddings), but this classifier runs "${id}": load it on a "${state.model}" classifier, or learn again`,
    );
  }
  // One run on a blank pixel tells this model's embedding size (or rejects: a model without one).
  const size = (await base.embed(new ImageData(1, 1), { normalize: false })).length;
  if (size !== state.dim) {
    throw new ClassifierError(
      'LEARNED_MISMATCH',
      `this JSON was learned on "${state.model}" with ${state.dim}-value embeddings; this classifier's "${id}" gives ${size}-value embeddings`,
    );
  }
  return new Learned(base, state);
}
