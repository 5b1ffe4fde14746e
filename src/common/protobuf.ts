/** Writing protobuf fields (the ONNX edits of model/graph.ts, the runtime's generated models). */

const utf8 = new TextEncoder();

/** A non-negative integer as a base-128 varint. */
export function encodeVarint(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A varint field `no` holding `v`. */
export const intField = (no: number, v: number): number[] => [...encodeVarint(no * 8), ...encodeVarint(v)];

/** A length-delimited field `no` holding `body`. */
export function lenField(no: number, body: Uint8Array | number[]): number[] {
  return [...encodeVarint(no * 8 + 2), ...encodeVarint(body.length), ...body];
}

/** A string field `no`. */
export const strField = (no: number, s: string): number[] => lenField(no, utf8.encode(s));
