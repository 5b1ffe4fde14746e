/**
 * ONNX graph edits made in the page, on the model bytes, before the session is created: expose the
 * pooled features (the input of the classifier head) as a second output, so that one run gives
 * labels and an embedding; and the model's metadata (labels an exporter stored). A minimal
 * protobuf reader/writer (no code generation: it runs under a strict Content-Security-Policy),
 * touching only ModelProto.graph: nodes and outputs are appended, every other byte stays as it was.
 */
import { encodeVarint, lenField, strField } from '../common/protobuf.ts';

/** A field of a protobuf message: its number, wire type, and where its value lies. */
export interface Field {
  no: number;
  wire: number;
  /** Start of the whole field (its tag). */
  at: number;
  /** The value: a varint's value, or a length-delimited field's bytes [start, end). */
  value: number;
  start: number;
  end: number;
}

function varint(buf: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let scale = 1;
  for (;;) {
    if (pos >= buf.length) throw new RangeError('truncated protobuf varint');
    const b = buf[pos++];
    v += (b & 0x7f) * scale;
    if (b < 0x80) return [v, pos];
    scale *= 128;
  }
}

/** The fields of the message in `buf[start, end)`, in order. */
export function* fields(buf: Uint8Array, start = 0, end = buf.length): Generator<Field> {
  let pos = start;
  while (pos < end) {
    const at = pos;
    const [tag, p] = varint(buf, pos);
    pos = p;
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) {
      const [value, q] = varint(buf, pos);
      pos = q;
      yield { no, wire, at, value, start: at, end: pos };
    } else if (wire === 2) {
      const [len, q] = varint(buf, pos);
      if (q + len > end) throw new RangeError('truncated protobuf field');
      yield { no, wire, at, value: len, start: q, end: q + len };
      pos = q + len;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      yield { no, wire, at, value: 0, start: pos - (wire === 1 ? 8 : 4), end: pos };
    } else {
      throw new RangeError(`unsupported protobuf wire type ${wire}`);
    }
  }
}

const text = new TextDecoder();
/** A length-delimited field's value as a string. */
export const str = (buf: Uint8Array, f: Field) => text.decode(buf.subarray(f.start, f.end));

export { encodeVarint, lenField, strField };

interface GraphNode {
  inputs: string[];
  outputs: string[];
  opType: string;
}

interface Graph {
  nodes: GraphNode[];
  outputs: string[];
}

/**
 * The graph's nodes and outputs. A model may hold its graph field more than once: protobuf parsers
 * merge them (repeated fields appended), which is how {@link withEmbeddingOutput} adds to it.
 */
function readGraph(model: Uint8Array): Graph {
  const graphs: Field[] = [];
  for (const f of fields(model)) if (f.no === 7 && f.wire === 2) graphs.push(f);
  if (!graphs.length) throw new RangeError('not an ONNX model: no graph');
  const nodes: GraphNode[] = [];
  const outputs: string[] = [];
  for (const field of graphs) {
    for (const f of fields(model, field.start, field.end)) {
      if (f.wire !== 2) continue;
      if (f.no === 1) {
        const node: GraphNode = { inputs: [], outputs: [], opType: '' };
        for (const n of fields(model, f.start, f.end)) {
          if (n.wire !== 2) continue;
          if (n.no === 1) node.inputs.push(str(model, n));
          else if (n.no === 2) node.outputs.push(str(model, n));
          else if (n.no === 4) node.opType = str(model, n);
        }
        nodes.push(node);
      } else if (f.no === 12) {
        for (const v of fields(model, f.start, f.end)) if (v.no === 1 && v.wire === 2) outputs.push(str(model, v));
      }
    }
  }
  return { nodes, outputs };
}

/**
 * The model's `metadata_props` (ModelProto field 14: key → value strings), e.g. the `id2label`
 * an exporter wrote. Reads only the top-level fields (the graph is skipped, not parsed).
 */
export function metadataProps(model: Uint8Array): Record<string, string> {
  const props: Record<string, string> = {};
  for (const f of fields(model)) {
    if (f.no !== 14 || f.wire !== 2) continue;
    let key = '';
    let value = '';
    for (const e of fields(model, f.start, f.end)) {
      if (e.wire !== 2) continue;
      if (e.no === 1) key = str(model, e);
      else if (e.no === 2) value = str(model, e);
    }
    props[key] = value;
  }
  return props;
}

/** Where the embedding comes from: a float tensor of the graph, or a quantized one to dequantize. */
export type FeatureSource = { tensor: string } | { quantized: string; scale: string; zeroPoint: string };

/** Ops that sit between a classifier head and the logits output (bias, dequantize, softmax, …). */
const PASS_THROUGH = new Set(['Add', 'QLinearAdd', 'DequantizeLinear', 'QuantizeLinear', 'Softmax', 'Identity', 'Reshape', 'Flatten']);
const HEADS = new Set(['Gemm', 'MatMul', 'QLinearMatMul', 'QGemm', 'MatMulInteger']);

/**
 * The input of the last Gemm/MatMul before `logitsName` (the graph's first output by default):
 * the pooled features of a ResNet (2048 values for ResNet-50), or `null` when there is none.
 */
export function findFeatures(model: Uint8Array, logitsName?: string): FeatureSource | null {
  const graph = readGraph(model);
  const producer = new Map<string, GraphNode>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  let name = logitsName ?? graph.outputs[0];
  for (let steps = 0; steps < 16 && name; steps++) {
    const node = producer.get(name);
    if (!node) return null;
    if (HEADS.has(node.opType)) {
      const input = node.inputs[0];
      if (node.opType === 'QLinearMatMul' || node.opType === 'QGemm') {
        return { quantized: input, scale: node.inputs[1], zeroPoint: node.inputs[2] };
      }
      return node.opType === 'MatMulInteger' ? null : { tensor: input };
    }
    if (!PASS_THROUGH.has(node.opType)) return null;
    name = node.inputs[0];
  }
  return null;
}

/** Whether the graph has a tensor of this name (a node's output or a graph input). */
export function hasTensor(model: Uint8Array, name: string): boolean {
  const graph = readGraph(model);
  return graph.nodes.some((n) => n.outputs.includes(name)) || graph.outputs.includes(name);
}

/**
 * Room kept after a model's bytes in their buffer by the loaders (model/cache.ts): the embedding
 * output is appended there instead of copying 100 MB into a new buffer.
 */
export const SPARE_BYTES = 4096;
const roomy = new WeakSet<ArrayBufferLike>();

/** A view of `n` bytes at the start of a buffer {@link SPARE_BYTES} longer, which {@link withEmbeddingOutput} may write past the view. */
export function withSpare(n: number): Uint8Array {
  return keepRoom(new Uint8Array(new ArrayBuffer(n + SPARE_BYTES), 0, n));
}

/** Marks the buffer after `bytes` as the loader's own room, which {@link withEmbeddingOutput} may write in. */
export function keepRoom(bytes: Uint8Array): Uint8Array {
  roomy.add(bytes.buffer);
  return bytes;
}

function copyWithRoom(model: Uint8Array, room: number): Uint8Array {
  const bytes = new Uint8Array(model.length + room);
  bytes.set(model);
  return bytes;
}

/** The name the embedding output gets when it has to be made (a quantized head). */
export const EMBEDDING_OUTPUT = 'resnet_web_embedding';

/**
 * The model with `source` as an extra float32 graph output (after a DequantizeLinear node when the
 * head is quantized), and that output's name. The model's own outputs keep their order.
 */
export function withEmbeddingOutput(model: Uint8Array, source: FeatureSource): { bytes: Uint8Array; output: string } {
  const graph = readGraph(model);
  const extra: number[] = [];
  let output: string;
  if ('tensor' in source) {
    output = source.tensor;
  } else {
    output = EMBEDDING_OUTPUT;
    const node = [
      ...strField(1, source.quantized), ...strField(1, source.scale), ...strField(1, source.zeroPoint),
      ...strField(2, output), ...strField(3, 'resnet_web_embedding_dequantize'), ...strField(4, 'DequantizeLinear'),
    ];
    extra.push(...lenField(1, node));
  }
  if (graph.outputs.includes(output)) return { bytes: model, output };
  // ValueInfoProto { name, type: TypeProto { tensor_type: { elem_type: FLOAT } } }
  const tensorType = [...encodeVarint(1 * 8 + 0), 1];
  const valueInfo = [...strField(1, output), ...lenField(2, lenField(1, tensorType))];
  extra.push(...lenField(12, valueInfo));
  // A second graph field after the model's fields, which the runtime's parser merges into the
  // first: the node and the output are appended, and nothing before them is rewritten or moved.
  const tail = lenField(7, extra);
  const end = model.byteOffset + model.length;
  const bytes =
    roomy.has(model.buffer) && model.buffer.byteLength - end >= tail.length
      ? new Uint8Array(model.buffer, model.byteOffset, model.length + tail.length) // in the room after the bytes (model/cache.ts)
      : copyWithRoom(model, tail.length);
  bytes.set(tail, model.length);
  return { bytes, output };
}
