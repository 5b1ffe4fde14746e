#!/usr/bin/env node
/**
 * The package's command line: `npx resnet-web models [--from DIR] [--dest DIR] [--only a,b] [--no-download]`
 * (in this repository: `npm run models -- …`, the same code).
 *
 * `models` fills a folder (default `public/models/` under the current directory) with the
 * registry's model and label files: copied from a local folder (--from, default
 * ../shared/models when it exists) or downloaded from the model's public URL, each checked
 * against its sha256 before it is written. Files neither present locally nor downloadable are
 * listed and skipped; a sha256 mismatch is refused and makes the run fail.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LABEL_FILES, MODELS } from './models.ts';

const USAGE = 'usage: resnet-web models [--from DIR] [--dest DIR] [--only resnet50,resnet56-cifar10] [--no-download]';
const [command, ...argv] = process.argv.slice(2);
if (command === '--help' || command === '-h' || command === undefined) {
  console.log(USAGE);
  process.exit(command === undefined ? 2 : 0);
}
if (command !== 'models') {
  console.error(`resnet-web: unknown command "${command}"\n${USAGE}`);
  process.exit(2);
}
const { values: args } = parseArgs({
  args: argv,
  options: {
    from: { type: 'string' },
    dest: { type: 'string', default: 'public/models' },
    only: { type: 'string' },
    'no-download': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const defaultFrom = path.resolve('../shared/models');
const from = args.from ? path.resolve(args.from) : existsSync(defaultFrom) ? defaultFrom : undefined;
if (args.from && !existsSync(from!)) {
  console.error(`--from ${args.from}: no such folder`);
  process.exit(2);
}
const dest = path.resolve(args.dest!);

interface Wanted {
  file: string;
  sha256: string;
  bytes?: number;
  source?: string;
  /** Checked on the downloaded bytes, which are then converted (synsets → labels JSON). */
  sourceSha256?: string;
  convert?: (bytes: Buffer) => Buffer;
  models: string[];
}

const only = args.only?.split(',').map((s) => s.trim()).filter(Boolean);
for (const name of only ?? []) {
  if (!MODELS[name]) {
    console.error(`--only: unknown model "${name}"; known: ${Object.keys(MODELS).join(', ')}`);
    process.exit(2);
  }
}

/** "n01440764 tench, Tinca tinca" lines → ["tench", …] (the first name of each synset). */
const synsetsToLabels = (bytes: Buffer) =>
  Buffer.from(JSON.stringify(bytes.toString('utf8').trim().split('\n').map((l) => l.replace(/^\S+\s+/, '').split(',')[0].trim())));

const wanted = new Map<string, Wanted>();
for (const m of Object.values(MODELS)) {
  if (only && !only.includes(m.name)) continue;
  const add = (w: Omit<Wanted, 'models'>) => {
    const have = wanted.get(w.file);
    if (have) have.models.push(m.name);
    else wanted.set(w.file, { ...w, models: [m.name] });
  };
  add({ file: m.url, sha256: m.sha256!, bytes: m.bytes, source: m.source });
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

const sha256 = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

class IntegrityError extends Error {}

function checked(file: string, bytes: Buffer, expected: string, where: string): Buffer {
  const actual = sha256(bytes);
  if (actual !== expected) {
    throw new IntegrityError(
      `${file}: sha256 mismatch for ${where}\n    expected ${expected}\n    got      ${actual} (${bytes.length} bytes)\n` +
        '    refusing to install it: the file is corrupted, truncated or not the expected model',
    );
  }
  return bytes;
}

async function download(url: string, expectedBytes?: number): Promise<Buffer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10 * 60_000) });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length')) || expectedBytes || 0;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  let lastPrint = 0;
  const tty = process.stderr.isTTY;
  const name = path.basename(new URL(url).pathname);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    loaded += chunk.length;
    const now = Date.now();
    if (now - lastPrint > (tty ? 200 : 5000)) {
      lastPrint = now;
      const pct = total ? ` ${((100 * loaded) / total).toFixed(0)}%` : '';
      process.stderr.write(`${tty ? '\r' : ''}  ${name}: ${mb(loaded)}${total ? ` / ${mb(total)}` : ''}${pct}${tty ? '' : '\n'}`);
    }
  }
  if (tty) process.stderr.write('\n');
  return Buffer.concat(chunks);
}

async function obtain(w: Wanted): Promise<{ bytes: Buffer; how: string } | { skip: string }> {
  const local = from ? path.join(from, w.file) : undefined;
  if (local && existsSync(local)) {
    return { bytes: checked(w.file, await readFile(local), w.sha256, local), how: `copied from ${from}` };
  }
  if (!w.source) return { skip: 'no local copy and no public download URL' };
  if (args['no-download']) return { skip: 'no local copy (downloads disabled)' };
  console.log(`  downloading ${w.file} from ${w.source}`);
  let raw: Buffer;
  try {
    raw = await download(w.source, w.bytes);
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return { skip: `download failed (${err.cause?.code ?? err.message})` };
  }
  if (w.convert) {
    checked(w.file, raw, w.sourceSha256!, w.source);
    return { bytes: w.convert(raw), how: `downloaded and converted from ${w.source}` };
  }
  return { bytes: checked(w.file, raw, w.sha256, w.source), how: `downloaded from ${w.source}` };
}

await mkdir(dest, { recursive: true });
console.log(`models → ${path.relative(process.cwd(), dest) || dest}${from ? ` (local copies from ${from})` : ''}`);
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
const models = only ?? Object.keys(MODELS);
const ready = models.filter((m) => !missing.has(m));
console.log(`\nready (${ready.length}): ${ready.join(', ') || 'none'}`);
if (missing.size) {
  console.log(`could not get (${missing.size}): ${[...missing].join(', ')}`);
  console.log('  (on a machine with internet access, `resnet-web models` downloads the ONNX Model Zoo ones)');
}
if (failed) {
  console.error(`\n${failed} file(s) refused: sha256 mismatch or I/O error (see above)`);
  process.exit(1);
}
