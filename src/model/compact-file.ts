/**
 * Compact model files (`NAME.fp16.onnx`, `NAME.int8.onnx`) end in a fixed-size trailer that says
 * what they are, so the page can check one without parsing the model:
 *
 *   body ‖ entry("resnet-web.source-sha256", sha256 of the fp32 file it was made from)
 *        ‖ entry("resnet-web.precision", "fp16" | "int8")
 *        ‖ entry("resnet-web.sha256", sha256 of everything before this entry)
 *
 * Each entry is an ONNX `ModelProto.metadata_props` field (a `StringStringEntryProto`): protobuf
 * merges repeated fields appended to a message, so the file stays a valid ONNX model and
 * onnxruntime reads the three entries as metadata. The last entry makes the file self-checking:
 * a corrupted or truncated download is caught even where the registry cannot pin its sha256
 * (the compact files of models this project cannot download, e.g. the ONNX Model Zoo's).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { CompactPrecision } from './spec.ts';

/** `resnet50-v1-7.onnx` → `resnet50-v1-7.int8.onnx`. */
export function compactFileName(fp32File: string, precision: CompactPrecision): string {
  return fp32File.replace(/(\.onnx)?$/, `.${precision}.onnx`);
}

const KEYS = { source: 'resnet-web.source-sha256', precision: 'resnet-web.precision', sha256: 'resnet-web.sha256' } as const;
const enc = new TextEncoder();

/** One `metadata_props` field: tag 14 (wire type 2), length, then key (1) and value (2) strings. */
function entry(key: string, value: string): Uint8Array {
  const k = enc.encode(key);
  const v = enc.encode(value);
  const inner = [0x0a, k.length, ...k, 0x12, v.length, ...v];
  if (k.length > 127 || v.length > 127 || inner.length > 127) throw new Error('trailer entry too long');
  return Uint8Array.from([0x72, inner.length, ...inner]);
}

const entryLength = (key: string, valueLength: number) => 2 + 2 + enc.encode(key).length + 2 + valueLength;
const LENGTHS = [entryLength(KEYS.source, 64), entryLength(KEYS.precision, 4), entryLength(KEYS.sha256, 64)] as const;
/** Bytes the trailer adds to a model. */
export const TRAILER_BYTES = LENGTHS[0] + LENGTHS[1] + LENGTHS[2];

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Appends the trailer to an encoded model. */
export function withTrailer(body: Uint8Array, sourceSha256: string, precision: CompactPrecision): Uint8Array {
  const head = concat(body, entry(KEYS.source, sourceSha256.toLowerCase()), entry(KEYS.precision, precision));
  return concat(head, entry(KEYS.sha256, hex(sha256(head))));
}

/** The bytes of `parts`, one after the other. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What a compact file's trailer says, and whether its bytes still match it. */
export interface CompactTrailer {
  sourceSha256: string;
  precision: CompactPrecision;
  /** The sha256 the trailer records for the bytes before its last entry. */
  recorded: string;
  /** How many leading bytes `recorded` covers: hash them to check the file. */
  hashedLength: number;
}

/** Reads the trailer of a compact file, or `null` when `bytes` do not end in one (truncated, or not a compact file). */
export function readTrailer(bytes: Uint8Array): CompactTrailer | null {
  if (bytes.length < TRAILER_BYTES) return null;
  let at = bytes.length - TRAILER_BYTES;
  const values: string[] = [];
  for (const [i, key] of [KEYS.source, KEYS.precision, KEYS.sha256].entries()) {
    const len = LENGTHS[i];
    const want = entry(key, 'x'.repeat(len - entryLength(key, 0)));
    const got = bytes.subarray(at, at + len);
    const headLen = 4 + enc.encode(key).length + 2; // tag, length, key field, value tag + length
    for (let j = 0; j < headLen; j++) if (got[j] !== want[j]) return null;
    values.push(new TextDecoder().decode(got.subarray(headLen)));
    at += len;
  }
  const [sourceSha256, precision, recorded] = values;
  if (precision !== 'fp16' && precision !== 'int8') return null;
  if (!/^[0-9a-f]{64}$/.test(sourceSha256) || !/^[0-9a-f]{64}$/.test(recorded)) return null;
  return { sourceSha256, precision, recorded, hashedLength: bytes.length - LENGTHS[2] };
}
