/**
 * What a learned classifier keeps, and its JSON: the labels, every example as an int8 code (no
 * images), and the trained head in float32, all base64, so that `loadLearned` restores answers to
 * the last digit. Reading checks every field and says what is wrong (`INVALID_LEARNED`).
 */
import { ClassifierError } from '../common/errors.ts';
import type { Head } from './head.ts';

/** The `format` field of learned JSON. */
export const LEARNED_FORMAT = 'resnet-web/learned';
/** The version this SDK writes and reads. */
export const LEARNED_VERSION = 1;

/** A learned classifier's state. */
export interface LearnedState {
  /** The base model's id (its registry name, or its file's name). */
  model: string;
  /** Values in one embedding. */
  dim: number;
  labels: string[];
  /** Per label (in `labels` order), its examples' codes. */
  examples: Int8Array[][];
  head: Head;
}

/** The JSON shape (what `toJSON()` returns). */
export interface LearnedJSON {
  /** Always `'resnet-web/learned'`. */
  format: typeof LEARNED_FORMAT;
  /** The format's version (1). */
  version: number;
  /** The base model's id: `loadLearned` refuses JSON learned on another model. */
  model: string;
  /** Values in one embedding of that model. */
  embeddingSize: number;
  /** The labels, in order. */
  labels: string[];
  /** Per label, its examples' int8 codes (power-normalized pooled features), base64. */
  examples: Record<string, string[]>;
  /** The head's float32 arrays (little-endian), base64. */
  head: {
    /** The mean of the training vectors (`embeddingSize` values). */
    mean: string;
    /** `labels × embeddingSize` weights, row-major. */
    weights: string;
    /** One bias per label. */
    bias: string;
  };
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string, what: string): Uint8Array {
  let s: string;
  try {
    s = atob(text);
  } catch (e) {
    throw invalidLearned(`${what} is not base64`, e);
  }
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

const bytesOf = (a: Int8Array | Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function invalidLearned(message: string, cause?: unknown): ClassifierError {
  return new ClassifierError('INVALID_LEARNED', `not a learned classifier this SDK can load: ${message}`, cause === undefined ? undefined : { cause });
}

/** The state as plain JSON. */
export function learnedToJSON(state: LearnedState): LearnedJSON {
  return {
    format: LEARNED_FORMAT,
    version: LEARNED_VERSION,
    model: state.model,
    embeddingSize: state.dim,
    labels: [...state.labels],
    examples: Object.fromEntries(state.labels.map((l, k) => [l, state.examples[k].map((c) => toBase64(bytesOf(c)))])),
    head: { mean: toBase64(bytesOf(state.head.mean)), weights: toBase64(bytesOf(state.head.weights)), bias: toBase64(bytesOf(state.head.bias)) },
  };
}

function floats(text: unknown, n: number, what: string): Float32Array {
  if (typeof text !== 'string') throw invalidLearned(`${what} must be a base64 string`);
  const bytes = fromBase64(text, what);
  if (bytes.length !== n * 4) throw invalidLearned(`${what} holds ${bytes.length / 4} values, not ${n}`);
  const out = new Float32Array(bytes.buffer);
  if (!out.every(Number.isFinite)) throw invalidLearned(`${what} holds a value that is not a finite number`);
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the labels of `learn`/`loadLearned`: at least two, distinct, non-empty strings. */
export function checkLabels(labels: readonly unknown[], what: string): void {
  const seen = new Set<string>();
  for (const l of labels) {
    if (typeof l !== 'string' || l.trim() === '') throw new RangeError(`${what}: every label must be a non-empty string, got ${JSON.stringify(l) ?? String(l)}`);
    if (seen.has(l)) throw new RangeError(`${what}: the label "${l}" comes twice`);
    seen.add(l);
  }
}

/**
 * Reads learned JSON (an object, or its text), checking every field: `INVALID_LEARNED` saying
 * which one is wrong. Whether it fits a classifier's model is the caller's check.
 */
export function learnedFromJSON(saved: unknown): LearnedState {
  let json: unknown = saved;
  if (typeof saved === 'string') {
    try {
      json = JSON.parse(saved);
    } catch (e) {
      throw invalidLearned('the text is not JSON', e);
    }
  }
  if (!isObject(json)) throw invalidLearned(`expected an object (what toJSON() returned), got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}`);
  if (json.format !== LEARNED_FORMAT) throw invalidLearned(`its format is ${JSON.stringify(json.format) ?? 'missing'}, not "${LEARNED_FORMAT}"`);
  if (json.version !== LEARNED_VERSION) throw invalidLearned(`version ${String(json.version)}; this SDK reads version ${LEARNED_VERSION}`);
  if (typeof json.model !== 'string' || !json.model) throw invalidLearned('"model" must name the model it was learned on');
  const dim = json.embeddingSize;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1 || dim > 1 << 16) throw invalidLearned(`"embeddingSize" must be a positive integer, got ${String(dim)}`);
  if (!Array.isArray(json.labels) || json.labels.length < 2) throw invalidLearned('"labels" must list at least two labels');
  try {
    checkLabels(json.labels, '"labels"');
  } catch (e) {
    throw invalidLearned((e as Error).message);
  }
  const labels = json.labels as string[];
  const ex = json.examples;
  if (!isObject(ex)) throw invalidLearned('"examples" must be an object of label → example codes');
  const extra = Object.keys(ex).find((k) => !labels.includes(k));
  if (extra !== undefined) throw invalidLearned(`"examples" has a label "${extra}" that "labels" does not list`);
  const examples = labels.map((label) => {
    const list = ex[label];
    if (!Array.isArray(list) || list.length === 0) throw invalidLearned(`"examples" has no examples for "${label}"`);
    return list.map((code: unknown, i) => {
      const what = `examples["${label}"][${i}]`;
      if (typeof code !== 'string') throw invalidLearned(`${what} must be a base64 string`);
      const bytes = fromBase64(code, what);
      if (bytes.length !== dim) throw invalidLearned(`${what} holds ${bytes.length} values, not ${dim}`);
      return new Int8Array(bytes.buffer);
    });
  });
  const h = json.head;
  if (!isObject(h)) throw invalidLearned('"head" must be an object { mean, weights, bias }');
  const K = labels.length;
  const head: Head = {
    dim,
    classes: K,
    mean: floats(h.mean, dim, 'head.mean'),
    weights: floats(h.weights, K * dim, 'head.weights'),
    bias: floats(h.bias, K, 'head.bias'),
  };
  return { model: json.model, dim, labels: [...labels], examples, head };
}
