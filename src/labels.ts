/**
 * Class names from wherever a model keeps them: a JSON array, an index → name object (Hugging
 * Face's `id2label`), a Hugging Face or timm `config.json`, or the model file's own
 * `metadata_props`. Pure: the caller fetches.
 */
import { ClassifierError } from './errors.ts';

/** The metadata keys read for labels, in this order. */
export const LABEL_METADATA_KEYS = ['id2label', 'labels'] as const;

/**
 * Class names from parsed JSON: an array of strings; an object of index → name covering
 * 0 … n−1 once each; or an object with such an `id2label` (Hugging Face `config.json`) or a
 * `label_names` array (timm `config.json`). Anything else: `MODEL_LOAD_FAILED` naming `where`.
 */
export function parseLabels(data: unknown, where: string): string[] {
  const bad = (why: string) => new ClassifierError('MODEL_LOAD_FAILED', `the labels in ${where} ${why}`);
  if (Array.isArray(data)) {
    if (data.length === 0 || !data.every((x) => typeof x === 'string')) throw bad('are not a non-empty JSON array of strings');
    return data;
  }
  if (typeof data !== 'object' || data === null) throw bad('are not a JSON array of names or an object of index → name');
  const o = data as Record<string, unknown>;
  if ('id2label' in o) return parseLabels(o.id2label, `${where} (id2label)`);
  if ('label_names' in o) return parseLabels(o.label_names, `${where} (label_names)`);
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
