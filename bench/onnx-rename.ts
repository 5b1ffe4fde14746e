/**
 * Renames a graph input of an ONNX model (ModelProto → GraphProto → inputs and node inputs),
 * leaving every other byte as it is. Transformers.js feeds image models an input named
 * `pixel_values`; the benchmark gives it the same model under that name. The protobuf reading and
 * writing is src/model/graph.ts's.
 */
import { concat } from '../src/model/compact-file.ts';
import { encodeVarint, fields, str, strField } from '../src/model/graph.ts';

/** A length-delimited field `no` holding `parts` (kept as views: the weights are not copied). */
const field = (no: number, parts: Uint8Array[]): Uint8Array[] => [
  Uint8Array.from([...encodeVarint(no * 8 + 2), ...encodeVarint(parts.reduce((n, p) => n + p.length, 0))]),
  ...parts,
];

/** The message in `buf[start, end)` with every string field `no` equal to `from` made `to`. */
function renamed(buf: Uint8Array, start: number, end: number, no: number, from: string, to: string): Uint8Array[] {
  return [...fields(buf, start, end)].map((f) =>
    f.no === no && f.wire === 2 && str(buf, f) === from ? Uint8Array.from(strField(no, to)) : buf.subarray(f.at, f.end),
  );
}

/** The model with graph input `from` renamed to `to`. */
export function renameInput(model: Uint8Array, from: string, to: string): Uint8Array {
  let found = false;
  const out = concat(
    ...[...fields(model)].flatMap((f) => {
      if (f.no !== 7 || f.wire !== 2) return [model.subarray(f.at, f.end)]; // ModelProto.graph = 7
      const graph = [...fields(model, f.start, f.end)].flatMap((g) => {
        if (g.no === 1 && g.wire === 2) return field(1, renamed(model, g.start, g.end, 1, from, to)); // NodeProto.input = 1
        if (g.no === 11 && g.wire === 2) {
          // GraphProto.input: ValueInfoProto.name = 1
          found ||= [...fields(model, g.start, g.end)].some((v) => v.no === 1 && v.wire === 2 && str(model, v) === from);
          return field(11, renamed(model, g.start, g.end, 1, from, to));
        }
        return [model.subarray(g.at, g.end)];
      });
      return field(7, graph);
    }),
  );
  if (!found) throw new Error(`the model has no graph input named "${from}"`);
  return out;
}
