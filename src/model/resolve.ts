/** A registry name or a spec → a checked spec with absolute URLs. */
import { INTERPOLATIONS } from '../preprocess/geometry.ts';
import { DEFAULT_MODEL, MODELS, modelNames } from './registry.ts';
import type { ModelSpec } from './spec.ts';

/**
 * Turns a registry name or a spec into a validated spec with absolute-or-base-relative URLs.
 * Throws `TypeError`/`RangeError` for a name not in the registry or an inconsistent spec.
 */
export function resolveModel(model: string | ModelSpec | undefined, modelBaseUrl: string): ModelSpec {
  let spec: ModelSpec;
  if (model === undefined || typeof model === 'string') {
    const name = model ?? DEFAULT_MODEL;
    const entry = Object.hasOwn(MODELS, name) ? MODELS[name] : undefined;
    if (!entry) {
      throw new RangeError(`Unknown model "${name}". Known models: ${modelNames().join(', ')}; or pass a ModelSpec.`);
    }
    spec = entry;
  } else if (typeof model === 'object' && model !== null) {
    spec = model;
  } else {
    throw new TypeError('options.model must be a registry name or a ModelSpec object');
  }
  validateSpec(spec);
  return {
    ...spec,
    mean: [...spec.mean],
    std: [...spec.std],
    url: resolveUrl(spec.url, modelBaseUrl),
    labels: typeof spec.labels === 'string' ? resolveUrl(spec.labels, modelBaseUrl) : spec.labels && [...spec.labels],
    ...(spec.precisions
      ? {
          precisions: Object.fromEntries(
            Object.entries(spec.precisions).map(([p, f]) => [p, { ...f, url: resolveUrl(f.url, modelBaseUrl) }]),
          ),
        }
      : {}),
  };
}

function validateSpec(s: ModelSpec): void {
  if (s.synsets !== undefined && s.synsets !== 'imagenet-1k') throw new RangeError(`ModelSpec.synsets must be 'imagenet-1k' or left out, got ${String(s.synsets)}`);
  if (typeof s.url !== 'string' || s.url === '') throw new TypeError('ModelSpec.url must be a non-empty string');
  for (const k of ['inputSize', 'resizeTo'] as const) {
    if (!Number.isInteger(s[k]) || s[k] < 1) throw new RangeError(`ModelSpec.${k} must be a positive integer, got ${s[k]}`);
  }
  if (s.resizeTo < s.inputSize) {
    throw new RangeError(`ModelSpec.resizeTo (${s.resizeTo}) must be >= inputSize (${s.inputSize})`);
  }
  for (const k of ['mean', 'std'] as const) {
    const v = s[k];
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => Number.isFinite(x))) {
      throw new TypeError(`ModelSpec.${k} must be three finite numbers (one per channel, in channelOrder)`);
    }
  }
  if (s.std.some((x) => x === 0)) throw new RangeError('ModelSpec.std must not contain 0');
  const oneOf = (k: 'interpolation' | 'layout' | 'channelOrder', allowed: readonly string[]) => {
    const v = s[k];
    if (v !== undefined && !allowed.includes(v)) {
      throw new RangeError(`ModelSpec.${k} must be ${allowed.map((a) => `'${a}'`).join(', ')} or left out, got ${JSON.stringify(v)}`);
    }
  };
  oneOf('interpolation', INTERPOLATIONS);
  oneOf('layout', ['NCHW', 'NHWC']);
  oneOf('channelOrder', ['RGB', 'BGR']);
  if (s.pixelScale !== undefined && !(typeof s.pixelScale === 'number' && s.pixelScale > 0 && Number.isFinite(s.pixelScale))) {
    throw new RangeError(`ModelSpec.pixelScale must be a positive number (1 / 255 or 1), got ${String(s.pixelScale)}`);
  }
  if (!(s.labels === undefined || typeof s.labels === 'string' || (Array.isArray(s.labels) && s.labels.length > 0 && s.labels.every((l) => typeof l === 'string')))) {
    throw new TypeError("ModelSpec.labels must be a URL, a non-empty array of class names, or left out (the model's metadata)");
  }
  if (s.sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(s.sha256)) {
    throw new TypeError('ModelSpec.sha256 must be 64 hex digits');
  }
  if (s.precision !== undefined && !['fp32', 'fp16', 'int8'].includes(s.precision)) {
    throw new RangeError(`ModelSpec.precision must be 'fp32', 'fp16' or 'int8', got ${String(s.precision)}`);
  }
  for (const [p, f] of Object.entries(s.precisions ?? {})) {
    if (p !== 'fp16' && p !== 'int8') throw new RangeError(`ModelSpec.precisions: unknown precision "${p}" (fp16, int8)`);
    if (!f || typeof f.url !== 'string' || f.url === '') throw new TypeError(`ModelSpec.precisions.${p}.url must be a non-empty string`);
    if (f.sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(f.sha256)) throw new TypeError(`ModelSpec.precisions.${p}.sha256 must be 64 hex digits`);
  }
}

/** Resolves `url` against `base`, itself resolved against the page (or worker) location when there is one. */
export function resolveUrl(url: string, base: string): string {
  const here = typeof location !== 'undefined' ? location.href : undefined;
  try {
    const absBase = here ? new URL(base, here).href : new URL(base).href;
    return new URL(url, absBase).href;
  } catch {
    // No page location and a relative base (e.g. in Node): keep a plain join.
    return /^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('/') ? url : base.replace(/\/?$/, '/') + url;
  }
}
