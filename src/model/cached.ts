/**
 * The models kept in the SDK's Cache Storage, by name: what an app shows in a "storage" panel,
 * and how it frees one model's bytes (`clearModelCache` frees them all).
 */
import { modelCacheSize, openCache, writesSettled } from './cache.ts';
import { compactFileName } from './compact-file.ts';
import { MODELS } from './registry.ts';
import type { ModelSpec } from './spec.ts';

/** A model file in the cache, named. */
export interface CachedModel {
  /** The registry name whose file (fp32, fp16 or int8) this is, else the file's name. */
  name: string;
  /** The file's URL. */
  url: string;
  /** Its size in bytes. */
  bytes: number;
}

const fileName = (url: string) => decodeURIComponent(new URL(url, 'http://x/').pathname.split('/').pop() ?? url);

/** Every file name a spec's model may be kept under: its own, and its fp16 and int8 files. */
function filesOf(spec: Pick<ModelSpec, 'url' | 'precisions'>): Set<string> {
  const own = fileName(spec.url);
  const files = new Set([own, compactFileName(own, 'fp16'), compactFileName(own, 'int8')]);
  for (const f of Object.values(spec.precisions ?? {})) if (f) files.add(fileName(f.url));
  return files;
}

/** The models in the cache: each file with the registry name it belongs to (or its file name) and its size. */
export async function cachedModels(): Promise<CachedModel[]> {
  const { entries } = await modelCacheSize();
  const names = Object.entries(MODELS).map(([name, spec]) => [name, filesOf(spec)] as const);
  return entries.map(({ url, bytes }) => {
    const file = fileName(url);
    return { name: names.find(([, files]) => files.has(file))?.[0] ?? file, url, bytes };
  });
}

/**
 * Deletes one model's files from the cache: a registry name or a spec; its fp32, fp16 and int8
 * files, from whatever `modelBaseUrl` they were loaded. A model not in the cache is no error.
 */
export async function removeCachedModel(model: string | ModelSpec): Promise<void> {
  if (typeof model === 'string' && !Object.hasOwn(MODELS, model)) {
    throw new RangeError(`removeCachedModel: unknown model "${model}"; pass a registry name or the ModelSpec it was loaded with`);
  }
  const spec = typeof model === 'string' ? MODELS[model] : model;
  const cache = await openCache();
  if (!cache) return;
  await writesSettled();
  const files = filesOf(spec);
  for (const request of await cache.keys()) {
    if (files.has(fileName(request.url))) await cache.delete(request);
  }
}
