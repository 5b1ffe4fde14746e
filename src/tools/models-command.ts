/**
 * `resnet-web models`: fills a folder (default `public/models/`) with the registry's model and
 * label files, each checked against its sha256 before it is written. A file comes from:
 * - a local folder (`--from`; in this repository the committed `test/data/models/`),
 * - the models command itself, for a generated model (`resnet50-untrained`), or
 * - its public URL (the ONNX Model Zoo), with a progress bar.
 *
 * Which models: by default what a fresh clone needs (every model with a local copy, the generated
 * one, and the default `resnet50`); `--all` for the whole registry; `--only a,b` for those.
 * What cannot be had (offline, no URL) is listed and skipped; the run fails only for a sha256
 * mismatch, or when none of the wanted models is ready.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { mb } from '../common/units.ts';
import { readTrailer } from '../model/compact-file.ts';
import { DEFAULT_MODEL, MODELS } from '../model/registry.ts';
import type { CompactPrecision, RegistryEntry } from '../model/spec.ts';
import { compactModel } from './compact.ts';
import { LABEL_FILES } from './label-files.ts';
import { untrainedResNet50 } from './resnet50-untrained.ts';

export const MODELS_USAGE =
  'usage: resnet-web models [--dest DIR] [--all | --only resnet50,resnet56-cifar10] [--precision fp16,int8] [--from DIR] [--mirror URL] [--no-download]\n' +
  '  default: the models with a local copy, the generated resnet50-untrained, and resnet50 (downloaded when missing)\n' +
  '  --precision   also write NAME.fp16.onnx / NAME.int8.onnx from each fp32 model (half / a quarter of the download)\n' +
  '  --from DIR    local copies to take first (in the resnet-web repository: test/data/models)\n' +
  '  --mirror URL  download each file by its name from URL instead of its public source';

/** What to do without internet access (printed with every model that could not be had). */
const OFFLINE_HINT =
  'Without internet access: copy the .onnx files (named as above) from a machine that has it into a folder and pass ' +
  '--from DIR, or serve them yourself and pass --mirror URL.';

/** Model files written by this command instead of fetched, by file name. */
const GENERATED: Record<string, () => Uint8Array> = { 'resnet50-imagenet-untrained.onnx': untrainedResNet50 };

/** Seconds without a byte before a download is given up. */
const STALL_S = 60;

interface Wanted {
  file: string;
  sha256: string;
  bytes?: number;
  source?: string;
  generate?: () => Uint8Array;
  /** Checked on the downloaded bytes, which are then converted (synsets → labels JSON). */
  sourceSha256?: string;
  convert?: (bytes: Buffer) => Buffer;
  models: string[];
}

class IntegrityError extends Error {}

const sha256 = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');

/** One line of a download's progress: `name [#######-------]  48%  49.2 / 102.6 MB  3.1 MB/s`. */
export function progressLine(name: string, loaded: number, total: number, seconds: number, width = 28): string {
  const rate = seconds > 0 ? `  ${mb(loaded / seconds)}/s` : '';
  if (!total) return `  ${name}  ${mb(loaded)}${rate}`;
  const frac = Math.min(1, loaded / total);
  const filled = Math.round(frac * width);
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  return `  ${name} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct}  ${mb(loaded)} / ${mb(total)}${rate}`;
}

/** "n01440764 tench, Tinca tinca" lines → ["tench", …] (the first name of each synset). */
const synsetsToLabels = (bytes: Buffer) =>
  Buffer.from(JSON.stringify(bytes.toString('utf8').trim().split('\n').map((l) => l.replace(/^\S+\s+/, '').split(',')[0].trim())));

/** The package's root (the folder of its package.json), found from this module's own folder. */
function packageRoot(): string | undefined {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'resnet-web') return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function checked(file: string, bytes: Buffer | Uint8Array, expected: string, where: string): Buffer {
  const actual = sha256(bytes);
  if (actual !== expected) {
    throw new IntegrityError(
      `${file}: sha256 mismatch for ${where}\n    expected ${expected}\n    got      ${actual} (${bytes.length} bytes)\n` +
        '    refusing to install it: the file is corrupted, truncated or not the expected model',
    );
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

async function download(url: string, expectedBytes?: number): Promise<Buffer> {
  const stall = new AbortController();
  let timer = setTimeout(() => stall.abort(new Error(`no data for ${STALL_S} s`)), STALL_S * 1000);
  try {
    const res = await fetch(url, { signal: stall.signal });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    const total = Number(res.headers.get('content-length')) || expectedBytes || 0;
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    let lastPrint = 0;
    const t0 = Date.now();
    const tty = process.stderr.isTTY;
    const name = path.basename(new URL(url).pathname);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      clearTimeout(timer);
      timer = setTimeout(() => stall.abort(new Error(`no data for ${STALL_S} s`)), STALL_S * 1000);
      chunks.push(chunk);
      loaded += chunk.length;
      const now = Date.now();
      if (now - lastPrint > (tty ? 100 : 5000) || loaded === total) {
        lastPrint = now;
        const line = progressLine(name, loaded, total, (now - t0) / 1000);
        process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
      }
    }
    if (tty) process.stderr.write('\n');
    return Buffer.concat(chunks);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Writes a model's compact file from its fp32 file in `dest`, unless a good one is there already
 * (pinned sha256, or a trailer naming this model's fp32 file); returns what it did.
 */
async function writeCompact(m: RegistryEntry, p: CompactPrecision, file: { url: string; sha256?: string }, dest: string): Promise<string> {
  const target = path.join(dest, file.url);
  if (existsSync(target)) {
    const have = await readFile(target);
    const t = readTrailer(have);
    const good = file.sha256
      ? sha256(have) === file.sha256
      : !!t && t.precision === p && t.sourceSha256 === m.sha256 && sha256(have.subarray(0, t.hashedLength)) === t.recorded;
    if (good) return `already there, ${mb(have.length)}`;
  }
  const t0 = Date.now();
  const fp32 = await readFile(path.join(dest, m.url));
  const { bytes, report } = compactModel(fp32, p);
  if (file.sha256) checked(file.url, bytes, file.sha256, 'the converted model');
  await writeFile(`${target}.part`, bytes);
  await rename(`${target}.part`, target);
  const ratio = ((bytes.length / fp32.length) * 100).toFixed(2);
  return (
    `${mb(bytes.length)} = ${ratio} % of fp32, ${report.converted} weights ${p}, ` +
    `${file.sha256 ? 'sha256 verified' : `sha256 ${sha256(bytes).slice(0, 12)}…`}, made in ${((Date.now() - t0) / 1000).toFixed(1)} s`
  );
}

/** Runs the command on its arguments (after `models`); resolves to the process exit code. */
export async function modelsCommand(argv: string[]): Promise<number> {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      dest: { type: 'string', default: 'public/models' },
      only: { type: 'string' },
      all: { type: 'boolean', default: false },
      mirror: { type: 'string' },
      precision: { type: 'string' },
      'no-download': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (args.help) {
    console.log(MODELS_USAGE);
    return 0;
  }
  if (args.all && args.only) {
    console.error(`--all and --only exclude each other\n${MODELS_USAGE}`);
    return 2;
  }
  const root = packageRoot();
  const committed = root && path.join(root, 'test/data/models');
  const from = args.from ? path.resolve(args.from) : committed && existsSync(committed) ? committed : undefined;
  if (args.from && !existsSync(from!)) {
    console.error(`--from ${args.from}: no such folder`);
    return 2;
  }
  const dest = path.resolve(args.dest!);
  const precisions = (args.precision?.split(',').map((s) => s.trim()).filter(Boolean) ?? []) as CompactPrecision[];
  for (const p of precisions) {
    if (p !== 'fp16' && p !== 'int8') {
      console.error(`--precision: unknown precision "${p}"; known: fp16, int8 (fp32 is the original file)`);
      return 2;
    }
  }

  const only = args.only?.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of only ?? []) {
    if (!Object.hasOwn(MODELS, name)) {
      console.error(`--only: unknown model "${name}"; known: ${Object.keys(MODELS).join(', ')}`);
      return 2;
    }
  }
  const local = (file: string) => !!from && existsSync(path.join(from, file));
  const byDefault = (m: RegistryEntry) => m.name === DEFAULT_MODEL || !!GENERATED[m.url] || local(m.url);
  const models = Object.values(MODELS).filter((m) => (only ? only.includes(m.name) : args.all || byDefault(m)));

  const wanted = new Map<string, Wanted>();
  for (const m of models) {
    const add = (w: Omit<Wanted, 'models'>) => {
      const have = wanted.get(w.file);
      if (have) have.models.push(m.name);
      else wanted.set(w.file, { ...w, models: [m.name] });
    };
    add({ file: m.url, sha256: m.sha256!, bytes: m.bytes, source: m.source, generate: GENERATED[m.url] });
    if (typeof m.labels === 'string') {
      const l = LABEL_FILES[m.labels];
      add({
        file: m.labels,
        sha256: l.sha256,
        source: l.source,
        sourceSha256: l.sourceSha256,
        convert: l.source?.endsWith('synset.txt') ? synsetsToLabels : undefined,
      });
    }
  }

  const mirror = args.mirror && (args.mirror.endsWith('/') ? args.mirror : `${args.mirror}/`);
  if (mirror && !URL.canParse(mirror)) {
    console.error(`--mirror ${args.mirror}: not a URL`);
    return 2;
  }
  if (mirror) {
    for (const w of wanted.values()) {
      if (!w.source) continue;
      // A mirror serves the files as installed: no conversion.
      Object.assign(w, { source: new URL(w.file, mirror).href, convert: undefined, sourceSha256: undefined });
    }
  }

  const obtain = async (w: Wanted): Promise<{ bytes: Buffer; how: string } | { skip: string }> => {
    if (from && local(w.file)) {
      const file = path.join(from, w.file);
      return { bytes: checked(w.file, await readFile(file), w.sha256, file), how: `copied from ${path.relative(process.cwd(), from) || from}` };
    }
    if (w.generate) {
      console.log(`  generating ${w.file}`);
      const t0 = Date.now();
      const bytes = checked(w.file, w.generate(), w.sha256, 'the generated model');
      return { bytes, how: `generated in ${((Date.now() - t0) / 1000).toFixed(1)} s` };
    }
    if (!w.source) return { skip: 'no local copy and no public download URL' };
    if (args['no-download']) return { skip: 'no local copy (downloads disabled)' };
    console.log(`  downloading ${w.file} from ${w.source}`);
    let raw: Buffer;
    try {
      raw = await download(w.source, w.bytes);
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      return { skip: `download failed (${err.cause?.code ?? err.cause?.message ?? err.message}; offline?)` };
    }
    if (w.convert) {
      checked(w.file, raw, w.sourceSha256!, w.source);
      return { bytes: w.convert(raw), how: `downloaded and converted from ${w.source}` };
    }
    return { bytes: checked(w.file, raw, w.sha256, w.source), how: `downloaded from ${w.source}` };
  };

  await mkdir(dest, { recursive: true });
  console.log(`models → ${path.relative(process.cwd(), dest) || dest}${from ? ` (local copies from ${path.relative(process.cwd(), from) || from})` : ''}`);
  const missing = new Set<string>();
  let failed = 0;
  for (const w of wanted.values()) {
    const target = path.join(dest, w.file);
    if (existsSync(target) && (w.convert || sha256(await readFile(target)) === w.sha256)) {
      console.log(`  ok       ${w.file} (already there)`);
      continue;
    }
    try {
      const got = await obtain(w);
      if ('skip' in got) {
        console.log(`  missing  ${w.file}: ${got.skip}`);
        w.models.forEach((m) => missing.add(m));
        continue;
      }
      await writeFile(`${target}.part`, got.bytes);
      await rename(`${target}.part`, target);
      console.log(`  ok       ${w.file} (${mb(got.bytes.length)}, sha256 verified, ${got.how})`);
    } catch (e) {
      failed++;
      await rm(`${target}.part`, { force: true });
      console.error(`  REFUSED  ${e instanceof IntegrityError ? e.message : `${w.file}: ${String(e)}`}`);
      w.models.forEach((m) => missing.add(m));
    }
  }
  for (const m of models) {
    if (missing.has(m.name) || !precisions.length) continue;
    for (const p of precisions) {
      const file = m.precisions?.[p];
      if (!file) {
        console.log(`  skip     ${m.name} ${p}: ${m.precision && m.precision !== 'fp32' ? `its file is already ${m.precision}` : `no ${p} file in the registry`}`);
        continue;
      }
      try {
        const got = await writeCompact(m, p, file, dest);
        console.log(`  ok       ${file.url} (${got})`);
      } catch (e) {
        failed++;
        console.error(`  REFUSED  ${e instanceof IntegrityError ? e.message : `${file.url}: ${String(e)}`}`);
      }
    }
  }
  const names = models.map((m) => m.name);
  const ready = names.filter((m) => !missing.has(m));
  console.log(`\nready (${ready.length}): ${ready.join(', ') || 'none'}`);
  if (missing.size) {
    console.log(`could not get (${missing.size}): ${[...missing].join(', ')}`);
    if ([...missing].some((m) => MODELS[m].source)) console.log(`  ${OFFLINE_HINT}`);
  }
  if (!only && !args.all) console.log('more: --all (every registry model), or --only a,b');
  if (failed) {
    console.error(`\n${failed} file(s) refused: sha256 mismatch or I/O error (see above)`);
    return 1;
  }
  if (!ready.length) {
    console.error(`\nnone of the wanted models is ready. ${OFFLINE_HINT}`);
    return 1;
  }
  return 0;
}
