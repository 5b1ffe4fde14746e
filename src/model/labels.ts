/**
 * Class names from wherever a model keeps them: a JSON array, an index → name object (Hugging
 * Face's `id2label`), a Hugging Face or timm `config.json` (fetched from a URL), or the model
 * file's own `metadata_props`.
 */
import { ClassifierError } from '../common/errors.ts';
import { metadataProps } from './graph.ts';

/** How deep a config's `id2label` / `label_names` may be nested (a config has one level). */
const MAX_NESTING = 4;

/** The metadata keys read for labels, in this order. */
export const LABEL_METADATA_KEYS = ['id2label', 'labels'] as const;

/**
 * Class names from parsed JSON: an array of strings; an object of index → name covering
 * 0 … n−1 once each; or an object with such an `id2label` (Hugging Face `config.json`) or a
 * `label_names` array (timm `config.json`). Anything else: `MODEL_LOAD_FAILED` naming `where`.
 */
export function parseLabels(data: unknown, where: string): string[] {
  // A config's id2label or label_names, unwrapped without recursion (hostile JSON can nest them deeply).
  for (let depth = 0; typeof data === 'object' && data !== null && !Array.isArray(data); depth++) {
    const o = data as Record<string, unknown>;
    const key = 'id2label' in o ? 'id2label' : 'label_names' in o ? 'label_names' : null;
    if (!key) break;
    if (depth === MAX_NESTING) throw new ClassifierError('MODEL_LOAD_FAILED', `the labels in ${where} nest id2label / label_names more than ${MAX_NESTING} deep`);
    data = o[key];
    where = `${where} (${key})`;
  }
  const bad = (why: string) => new ClassifierError('MODEL_LOAD_FAILED', `the labels in ${where} ${why}`);
  if (Array.isArray(data)) {
    // Every index, holes included (`every` would skip a sparse array's holes).
    for (let i = 0; i < data.length; i++) if (typeof data[i] !== 'string') throw bad('are not a non-empty JSON array of strings');
    if (data.length === 0) throw bad('are not a non-empty JSON array of strings');
    return [...(data as string[])];
  }
  if (typeof data !== 'object' || data === null) throw bad('are not a JSON array of names or an object of index → name');
  const o = data as Record<string, unknown>;
  const keys = Object.keys(o);
  const labels: string[] = new Array<string>(keys.length);
  for (const k of keys) {
    const i = Number(k);
    if (!/^(0|[1-9]\d*)$/.test(k) || i >= keys.length) {
      throw bad(`are an object whose keys are not the class indices 0 … ${keys.length - 1} (found "${k}")`);
    }
    if (typeof o[k] !== 'string') throw bad(`give class ${k} a name that is not a string`);
    labels[i] = o[k];
  }
  if (keys.length === 0) throw bad('are an empty object');
  return labels;
}

/** Labels from a model's `metadata_props` (key → JSON string), or `null` when it has none. */
export function labelsFromMetadata(props: Readonly<Record<string, string>>, where: string): string[] | null {
  for (const key of LABEL_METADATA_KEYS) {
    if (!Object.hasOwn(props, key)) continue;
    let data: unknown;
    try {
      data = JSON.parse(props[key]);
    } catch (e) {
      throw new ClassifierError('MODEL_LOAD_FAILED', `the metadata "${key}" of ${where} is not JSON: ${String(e)}`, { cause: e });
    }
    return parseLabels(data, `the metadata "${key}" of ${where}`);
  }
  return null;
}

/** Fetches class names: a JSON array, an index → name object, or a config.json (see `parseLabels`). */
export async function loadLabels(url: string, signal?: AbortSignal): Promise<string[]> {
  let data: unknown;
  try {
    const res = await fetch(url, { signal });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    data = await res.json();
  } catch (e) {
    if (signal?.aborted) throw new ClassifierError('ABORTED', 'loading the labels was aborted', { cause: e });
    throw new ClassifierError('MODEL_LOAD_FAILED', `could not load the labels at ${url}: ${String(e)}`, { cause: e });
  }
  return parseLabels(data, url);
}

/** The labels stored in the model file (`metadata_props`), or `MODEL_LOAD_FAILED` saying where to give them. */
export function labelsInModel(bytes: Uint8Array, url: string): string[] {
  let props: Record<string, string>;
  try {
    props = metadataProps(bytes);
  } catch {
    props = {}; // not parseable here: the runtime says what is wrong with the file
  }
  const labels = labelsFromMetadata(props, `the model at ${url}`);
  if (labels) return labels;
  throw new ClassifierError(
    'MODEL_LOAD_FAILED',
    `no labels for the model at ${url}: give ModelSpec.labels (an array of names or the URL of a JSON file), ` +
      `or store them in the model's metadata_props as "id2label" (JSON: {"0": "name", …}) or "labels" (a JSON array)`,
  );
}
