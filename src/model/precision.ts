/**
 * Which file of a model to load (fp32, fp16 or int8 weights), and loading it:
 * - `'fp32' | 'fp16' | 'int8'`: that file, or `MODEL_LOAD_FAILED` naming the files that are there;
 * - `'auto'`: the smallest file the server has among those measured within the accuracy bounds
 *   (`CompactFileSpec.auto`), in the order int8, fp16, fp32; one the server lacks is skipped.
 *
 * A compact file is checked by its trailer (compact-file.ts): its own sha256 (a damaged file is
 * `MODEL_INTEGRITY`), the fp32 file it was made from (a file of another model is
 * `MODEL_LOAD_FAILED` saying so), and, where the registry pins it, the whole file's sha256.
 */
import { cachedSize, isDownloadFailure, loadModelBytes, sha256Hex, type LoadOptions, type LoadProgress, type MissingFile } from './cache.ts';
import type { LoadClock } from '../common/clock.ts';
import { ClassifierError } from '../common/errors.ts';
import { mb } from '../common/units.ts';
import { readTrailer } from './compact-file.ts';
import { DEFAULT_MODEL } from './registry.ts';
import { resolveModel } from './resolve.ts';
import type { CompactFileSpec, CompactPrecision, ModelSpec, Precision } from './spec.ts';

/** What `ClassifierOptions.precision` accepts. */
export type PrecisionRequest = Precision | 'auto';

/** One file of a model. */
export interface ModelFile {
  precision: Precision;
  url: string;
  /** A compact file made by the models command (weights dequantized at load; see runtime/session.ts). */
  compact: boolean;
  spec?: CompactFileSpec;
}

/** The model's files, smallest first. */
export function modelFiles(spec: ModelSpec): ModelFile[] {
  const files: ModelFile[] = [];
  for (const p of ['int8', 'fp16'] as const) {
    const f = spec.precisions?.[p];
    if (f) files.push({ precision: p, url: f.url, compact: true, spec: f });
  }
  files.push({ precision: spec.precision ?? 'fp32', url: spec.url, compact: false });
  return files;
}

export function checkPrecision(p: unknown): PrecisionRequest {
  if (p !== 'auto' && p !== 'fp32' && p !== 'fp16' && p !== 'int8') {
    throw new RangeError(`precision must be 'auto', 'fp32', 'fp16' or 'int8', got ${String(p)}`);
  }
  return p;
}

/** The files `precision: 'auto'` may pick, smallest first. */
const autoCandidates = (files: ModelFile[]) => files.filter((f) => !(f.compact && f.spec?.auto === false));

/**
 * The size of the file `request` will load, when the spec says it beforehand (`fp32Bytes`: the
 * registry's size of the fp32 file); for `'auto'` the smallest candidate's; 0 when unknown.
 */
export function expectedFileBytes(spec: ModelSpec, request: PrecisionRequest, fp32Bytes?: number): number {
  const size = (f: ModelFile) => (f.compact ? f.spec?.bytes : fp32Bytes) ?? 0;
  const files = modelFiles(spec);
  if (request === 'auto') return size(autoCandidates(files)[0] ?? files[files.length - 1]);
  const f = files.find((x) => x.precision === request);
  return f ? size(f) : 0;
}

/** Options of {@link loadModelFile}. */
export interface LoadFileOptions {
  /** The registry name, for messages. */
  name: string;
  /** Expected size of the fp32 file (progress before the server says). */
  bytes?: number;
  cache: boolean;
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
  /** Times the read and the check (`loadTimings`). */
  clock?: LoadClock;
  /** Told what becomes of the loaded file in the model cache (see `LoadOptions.onCacheReport`). */
  onCacheReport?: LoadOptions['onCacheReport'];
}


/**
 * Checks a compact file. A pinned sha256 that matches settles it (one hash of the file); any other
 * file is read by its trailer, so that the error says what it is: damaged or truncated
 * (`MODEL_INTEGRITY`), or the file of another model or precision (`MODEL_LOAD_FAILED`).
 */
async function checkCompact(url: string, bytes: Uint8Array, precision: CompactPrecision, spec: ModelSpec, file: CompactFileSpec, name: string) {
  const whole = file.sha256 ? await sha256Hex(bytes) : null;
  if (whole !== null && whole === file.sha256!.toLowerCase()) return;
  const t = readTrailer(bytes);
  if (!t) {
    throw new ClassifierError(
      'MODEL_INTEGRITY',
      `the ${precision} file at ${url} (${bytes.length} bytes) is truncated or not a compact model file made by ` +
        '`resnet-web models --precision` (it has no resnet-web trailer)',
    );
  }
  const actual = await sha256Hex(bytes.subarray(0, t.hashedLength));
  if (actual !== t.recorded) {
    throw new ClassifierError(
      'MODEL_INTEGRITY',
      `the ${precision} file at ${url} is corrupted: its bytes do not match the sha256 it records (${t.recorded}, got ${actual})`,
    );
  }
  if (t.precision !== precision || (spec.sha256 && t.sourceSha256 !== spec.sha256.toLowerCase())) {
    throw new ClassifierError(
      'MODEL_LOAD_FAILED',
      `the file at ${url} is not ${name}'s ${precision} file: it is the ${t.precision} file of ` +
        (t.sourceSha256 === spec.sha256?.toLowerCase() ? name : `another model (made from the fp32 file with sha256 ${t.sourceSha256})`) +
        `; ${name}'s ${precision} file is made from ${spec.sha256}. Run \`resnet-web models --precision ${precision}\` again.`,
    );
  }
  if (whole !== null) {
    throw new ClassifierError(
      'MODEL_INTEGRITY',
      `the ${precision} file at ${url} does not match its pinned sha256 (expected ${file.sha256}, got ${whole}): ` +
        'made by another version of the models command? Run `resnet-web models --precision` again.',
    );
  }
}

/** Loads one file; `{ missing }` when the server (or, with `cacheOnly`, the cache) does not have it. */
function loadFile(f: ModelFile, spec: ModelSpec, opts: LoadFileOptions, cacheOnly = false): Promise<Uint8Array | MissingFile> {
  const { cache, onProgress, signal, clock, onCacheReport } = opts;
  const common = { cache, onProgress, signal, clock, onCacheReport, missingOk: true, cacheOnly } as const;
  if (!f.compact) return loadModelBytes(f.url, { ...common, sha256: spec.sha256, bytes: opts.bytes });
  const p = f.precision as CompactPrecision;
  return loadModelBytes(f.url, {
    ...common,
    bytes: f.spec!.bytes,
    check: (bytes) => checkCompact(f.url, bytes, p, spec, f.spec!, opts.name),
    // Cached under what it must be: this model's fp32 file and this precision.
    cacheTag: `${p}-of=${spec.sha256 ?? 'unpinned'}`,
  });
}

/** Which of the model's files are in the SDK's cache or on the server (HEAD requests), with their sizes. */
export async function availableFiles(spec: ModelSpec, signal?: AbortSignal): Promise<AvailableFile[]> {
  const found = await Promise.all(
    modelFiles(spec).map(async (f) => {
      const cached = await cachedSize(f.url).catch(() => null);
      if (cached !== null) return { precision: f.precision, url: f.url, bytes: cached };
      try {
        const res = await fetch(f.url, { method: 'HEAD', signal });
        if (!res.ok || (res.headers.get('content-type') ?? '').startsWith('text/html')) return null;
        const n = Number(res.headers.get('content-length'));
        return { precision: f.precision, url: f.url, bytes: Number.isFinite(n) && n > 0 ? n : null };
      } catch {
        return null;
      }
    }),
  );
  return found.filter((f) => f !== null);
}

/** A model file that can be loaded (in the model cache, or on the server): its precision, URL and size (`null` when the server does not say). */
export interface AvailableFile {
  /** The precision of its weights. */
  precision: Precision;
  /** Its absolute URL. */
  url: string;
  /** Its size in bytes, or `null` when the server does not say. */
  bytes: number | null;
}

/**
 * Which files of a model (fp32, fp16, int8) can be loaded, with their sizes, smallest first: for
 * a model picker. A file in the model cache counts (no request: works offline); for the others,
 * one HEAD request each.
 * @param model a registry name or a spec. Default: `'resnet50'`.
 * @param modelBaseUrl where the files are served. Default: `'/models/'`.
 */
export function modelFileSizes(model: string | ModelSpec = DEFAULT_MODEL, modelBaseUrl = '/models/', signal?: AbortSignal): Promise<AvailableFile[]> {
  return availableFiles(resolveModel(model, modelBaseUrl), signal);
}

/** Loads the file `request` asks for (see the module comment). */
export async function loadModelFile(spec: ModelSpec, request: PrecisionRequest, opts: LoadFileOptions): Promise<{ file: ModelFile; bytes: Uint8Array }> {
  const files = modelFiles(spec);
  if (request === 'auto') {
    const candidates = autoCandidates(files);
    // The cache first (an offline page uses what it has, with no failed request), then the network.
    if (opts.cache) {
      for (const f of candidates) {
        const got = await loadFile(f, spec, opts, true);
        if (got instanceof Uint8Array) return { file: f, bytes: got };
      }
    }
    const tried: string[] = [];
    for (const f of candidates) {
      let got: Uint8Array | MissingFile;
      try {
        got = await loadFile(f, spec, opts);
      } catch (e) {
        // A network failure (offline, a server error) skips to the next file; a damaged file does not.
        if (!isDownloadFailure(e)) throw e;
        got = { missing: (e as Error).message };
      }
      if (got instanceof Uint8Array) return { file: f, bytes: got };
      tried.push(`${f.url} (${got.missing})`);
    }
    throw new ClassifierError(
      'MODEL_LOAD_FAILED',
      `could not fetch any file of ${opts.name}: ${tried.join(', ')} (run \`npm run models\`, or set modelBaseUrl)`,
    );
  }
  const f = files.find((x) => x.precision === request);
  const listed = files.map((x) => x.precision).join(', ');
  if (!f) {
    throw new ClassifierError('MODEL_LOAD_FAILED', `${opts.name} has no ${request} file (it lists: ${listed})`);
  }
  const got = await loadFile(f, spec, opts);
  if (got instanceof Uint8Array) return { file: f, bytes: got };
  const there = await availableFiles(spec, opts.signal);
  const what = there.length
    ? there.map((x) => `${x.precision} (${x.bytes ? mb(x.bytes) : 'size unknown'}, ${x.url})`).join(', ')
    : 'none of its files';
  throw new ClassifierError(
    'MODEL_LOAD_FAILED',
    `there is no ${request} file of ${opts.name} at ${f.url} (${got.missing}); the server has: ${what}.` +
      (f.compact ? ` Make it with \`resnet-web models --precision ${request}\`, or use precision 'auto'.` : ' Run `npm run models`, or set modelBaseUrl.'),
  );
}
