/**
 * Renames a graph input of an ONNX model (ModelProto → GraphProto → inputs and node inputs),
 * leaving every other byte as it is. Transformers.js feeds image models an input named
 * `pixel_values`; the benchmark gives it the same model under that name.
 */

import { concat } from '../src/compact-file.ts';

function varint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let shift = 1;
  for (;;) {
    const b = buf[pos++];
    value += (b & 0x7f) * shift;
    if (b < 0x80) return [value, pos];
    shift *= 128;
  }
}

function encodeVarint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

interface Field {
  no: number;
  wire: number;
  /** Whole field (key included) and, for length-delimited fields, its payload. */
  raw: Uint8Array;
  payload?: Uint8Array;
}

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [key, p1] = varint(buf, pos);
    const no = Math.floor(key / 8);
    const wire = key % 8;
    pos = p1;
    let payload: Uint8Array | undefined;
    if (wire === 0) pos = varint(buf, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, p2] = varint(buf, pos);
      payload = buf.subarray(p2, p2 + len);
      pos = p2 + len;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    out.push({ no, wire, raw: buf.subarray(start, pos), payload });
  }
  return out;
}

function lengthDelimited(no: number, payload: Uint8Array): Uint8Array[] {
  return [Uint8Array.from([...encodeVarint(no * 8 + 2), ...encodeVarint(payload.length)]), payload];
}


/** Rewrites string fields `stringNo` equal to `from` in a message. */
function renameStrings(msg: Uint8Array, stringNo: number, from: string, to: string): Uint8Array {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  return concat(
    ...fields(msg).flatMap((f) =>
      f.no === stringNo && f.wire === 2 && dec.decode(f.payload) === from ? lengthDelimited(f.no, enc.encode(to)) : [f.raw],
    ),
  );
}

/** The model with graph input `from` renamed to `to`. */
export function renameInput(model: Uint8Array, from: string, to: string): Uint8Array {
  let found = false;
  const out = concat(
    ...fields(model).flatMap((f) => {
      if (f.no !== 7 || f.wire !== 2) return [f.raw]; // ModelProto.graph = 7
      const graph = concat(
        ...fields(f.payload!).flatMap((g) => {
          if (g.no === 1) return lengthDelimited(1, renameStrings(g.payload!, 1, from, to)); // NodeProto.input = 1
          if (g.no === 11) {
            const renamed = renameStrings(g.payload!, 1, from, to); // GraphProto.input (ValueInfoProto.name = 1)
            found ||= renamed.length !== g.payload!.length || from === to;
            return lengthDelimited(11, renamed);
          }
          return [g.raw];
        }),
      );
      return lengthDelimited(7, graph);
    }),
  );
  if (!found) throw new Error(`the model has no graph input named "${from}"`);
  return out;
}
