/**
 * Makes the compact files of an fp32 model, by rewriting its ONNX protobuf (used by the models
 * command; no Python, no onnx package):
 *
 * - `fp16`: every float initializer of 16 values or more is stored as float16 and turned back
 *   into float32 by a `Cast` node. onnxruntime constant-folds a `Cast` whose input is an
 *   initializer when the session is created, so the model runs on float32 weights, at float32
 *   speed, on every backend (no float16 arithmetic, no casts left in the graph).
 * - `int8`: every weight of a `Conv` (axis 0), `Gemm` (axis 0 with `transB`, else 1) or 2-D
 *   `MatMul` (axis 1) is quantized per output channel, symmetric (scale = max |w| / 127, zero point
 *   0), and dequantized by a `DequantizeLinear` node (opset 13's, or `com.microsoft`'s for older
 *   opsets, which have no per-axis form). Activations stay float. onnxruntime folds these nodes
 *   too, but only with the session config entry `session.disable_quant_qdq = "1"`: by default its
 *   constant folding skips every `DequantizeLinear` to keep QDQ node units for its int8 kernels
 *   (onnxruntime/core/optimizer/constant_folding.cc). Other float initializers (biases) stay float32.
 *
 * The output is deterministic: the same input bytes give the same output bytes on any machine.
 * Each file ends in a trailer (compact-file.ts) naming the source file's sha256 and the precision.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { withTrailer } from '../model/compact-file.ts';
import type { CompactPrecision } from '../model/spec.ts';
import { AttributeType, DataType, decodeModel, encodeModel, int64, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from './onnx.ts';

/** Float initializers smaller than this stay float32 in an fp16 file (scalars, tiny shape-like constants). */
const MIN_FP16_VALUES = 16;
const FP16_MAX = 65504;

/** What a conversion changed: for the models command's log and the tests. */
export interface CompactReport {
  precision: CompactPrecision;
  /** Initializers stored in the compact type, and their values. */
  converted: number;
  values: number;
  /** Float initializers left float32. */
  kept: number;
  bytes: number;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 value → IEEE 754 binary16 bits, rounding to nearest even (NaN stays NaN, overflow → ±Inf). */
export function toHalfBits(value: number): number {
  f32[0] = value;
  return halfFromFloatBits(u32[0]);
}

/** The same from a float32's bit pattern. */
function halfFromFloatBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && (m & 1))) m++;
    return sign | m; // a carry into the exponent gives the smallest normal, which is right
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1))) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/** IEEE 754 binary16 bits → number. */
export function fromHalfBits(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** The values of a float32 initializer (raw little-endian bytes or `float_data`). */
function floatValues(t: TensorProto): Float32Array {
  if (t.rawData && t.rawData.length) {
    const copy = new Uint8Array(t.rawData); // aligned
    return new Float32Array(copy.buffer, 0, copy.length / 4);
  }
  return Float32Array.from(t.floatData ?? []);
}

const dimsOf = (t: TensorProto) => (t.dims ?? []).map((d) => int64(d));
const le16 = (a: Uint16Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Which axis of each initializer is its output-channel axis, when every use of it agrees on one. */
function weightAxes(graph: GraphProto, initializers: Map<string, TensorProto>): Map<string, number> {
  const axes = new Map<string, number>();
  const conflicting = new Set<string>();
  const note = (name: string, axis: number | null) => {
    if (axis === null || (axes.has(name) && axes.get(name) !== axis)) conflicting.add(name);
    else axes.set(name, axis);
  };
  for (const node of graph.node ?? []) {
    for (const [i, input] of (node.input ?? []).entries()) {
      const t = initializers.get(input);
      if (!t || t.dataType !== DataType.FLOAT) continue;
      const rank = dimsOf(t).length;
      const domain = node.domain ?? '';
      if (domain !== '' && domain !== 'ai.onnx') note(input, null);
      else if (node.opType === 'Conv' && i === 1 && rank >= 3) note(input, 0);
      else if (node.opType === 'Gemm' && i === 1 && rank === 2) {
        const transB = node.attribute?.find((a) => a.name === 'transB');
        note(input, transB && int64(transB.i) === 1 ? 0 : 1);
      } else if (node.opType === 'MatMul' && i === 1 && rank === 2) note(input, 1);
      else note(input, null);
    }
  }
  for (const name of conflicting) axes.delete(name);
  return axes;
}

/** A name not yet used in the graph. */
function freshName(taken: Set<string>, base: string): string {
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

function usedNames(graph: GraphProto): Set<string> {
  const names = new Set<string>();
  for (const t of graph.initializer ?? []) if (t.name) names.add(t.name);
  for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) names.add(v.name);
  for (const n of graph.node ?? []) {
    for (const x of [...(n.input ?? []), ...(n.output ?? [])]) names.add(x);
    if (n.name) names.add(n.name);
  }
  return names;
}

/**
 * Rewrites a decoded fp32 model in place to the given precision and returns what it changed.
 * Throws when the model has no float initializers to compact.
 */
export function compactGraph(model: ModelProto, precision: CompactPrecision): Omit<CompactReport, 'bytes'> {
  const graph = model.graph;
  if (!graph) throw new Error('the model has no graph');
  const opset = model.opsetImport?.find((o) => !o.domain || o.domain === 'ai.onnx');
  const aiOnnx = int64(opset?.version);
  const initializers = new Map<string, TensorProto>();
  for (const t of graph.initializer ?? []) if (t.name) initializers.set(t.name, t);
  const axes = precision === 'int8' ? weightAxes(graph, initializers) : new Map<string, number>();
  const taken = usedNames(graph);
  const decodeNodes: NodeProto[] = [];
  const replaced = new Set<string>();
  const added: TensorProto[] = [];
  let converted = 0;
  let values = 0;
  let kept = 0;
  let msDomain = false;

  for (const t of graph.initializer ?? []) {
    if (t.dataType !== DataType.FLOAT || !t.name) continue;
    const v = floatValues(t);
    const dims = dimsOf(t);
    const axis = axes.get(t.name);
    if (precision === 'int8' && axis !== undefined) {
      const channels = dims[axis];
      const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
      const scales = new Float32Array(channels);
      for (let i = 0; i < v.length; i++) {
        const c = Math.floor(i / inner) % channels;
        scales[c] = Math.max(scales[c], Math.abs(v[i]));
      }
      for (let c = 0; c < channels; c++) scales[c] = scales[c] > 0 ? Math.fround(scales[c] / 127) : 1;
      const q = new Int8Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const c = Math.floor(i / inner) % channels;
        q[i] = Math.max(-127, Math.min(127, Math.round(v[i] / scales[c])));
      }
      const qName = freshName(taken, `${t.name}_int8`);
      const sName = freshName(taken, `${t.name}_scale`);
      added.push({ name: qName, dims, dataType: DataType.INT8, rawData: new Uint8Array(q.buffer) });
      added.push({ name: sName, dims: [channels], dataType: DataType.FLOAT, rawData: new Uint8Array(scales.buffer) });
      const ms = aiOnnx < 13;
      msDomain ||= ms;
      decodeNodes.push({
        input: [qName, sName],
        output: [t.name],
        opType: 'DequantizeLinear',
        ...(ms ? { domain: 'com.microsoft' } : {}),
        attribute: [{ name: 'axis', type: AttributeType.INT, i: axis }],
      });
    } else if (precision === 'fp16' && v.length >= MIN_FP16_VALUES && v.every((x) => Math.abs(x) <= FP16_MAX)) {
      const bits = new Uint32Array(v.buffer, v.byteOffset, v.length);
      const h = new Uint16Array(v.length);
      for (let i = 0; i < v.length; i++) h[i] = halfFromFloatBits(bits[i]);
      const hName = freshName(taken, `${t.name}_fp16`);
      added.push({ name: hName, dims, dataType: DataType.FLOAT16, rawData: le16(h) });
      decodeNodes.push({
        input: [hName],
        output: [t.name],
        opType: 'Cast', // no node name: optional, and 20-odd bytes a weight count against the fp16 file's size
        attribute: [{ name: 'to', type: AttributeType.INT, i: DataType.FLOAT }],
      });
    } else {
      kept++;
      continue;
    }
    replaced.add(t.name);
    converted++;
    values += v.length;
  }
  if (!converted) throw new Error(`the model has no float weights to store as ${precision}`);

  graph.initializer = [...(graph.initializer ?? []).filter((t) => !replaced.has(t.name!)), ...added];
  graph.node = [...decodeNodes, ...(graph.node ?? [])];
  // IR < 4 lists initializers among the graph inputs (where they can be overridden, so they are
  // not constants and would not be folded): the replaced ones are now node outputs.
  const before = graph.input?.length ?? 0;
  graph.input = (graph.input ?? []).filter((i) => !replaced.has(i.name));
  if (graph.input.length !== before && int64(model.irVersion) < 4) model.irVersion = 4;
  if (msDomain && !model.opsetImport?.some((o) => o.domain === 'com.microsoft')) {
    model.opsetImport = [...(model.opsetImport ?? []), { domain: 'com.microsoft', version: 1 }];
  }
  return { precision, converted, values, kept };
}

/** The bytes of an fp32 `.onnx` file → the bytes of its compact file, with the trailer. */
export function compactModel(fp32: Uint8Array, precision: CompactPrecision): { bytes: Uint8Array; report: CompactReport } {
  const model = decodeModel(fp32);
  const report = compactGraph(model, precision);
  const sourceSha256 = Array.from(sha256(fp32), (x) => x.toString(16).padStart(2, '0')).join('');
  const bytes = withTrailer(encodeModel(model), sourceSha256, precision);
  return { bytes, report: { ...report, bytes: bytes.length } };
}
