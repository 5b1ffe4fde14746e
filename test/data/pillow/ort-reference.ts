/**
 * Native onnxruntime (onnxruntime-node) on Pillow's tensors: MobileNetV2-int8 on each shared
 * ImageNet photo resized bicubic to 235 and centre-cropped to 224 (timm's crop_pct 0.95), as
 * make-references.py --crops wrote them. Writes the top-5 to mobilenetv2-bicubic235-ortnode.json.
 *
 *   /usr/bin/python3 test/data/pillow/make-references.py --crops /tmp/bicubic235
 *   npx tsx test/data/pillow/ort-reference.ts /tmp/bicubic235
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { IMAGENET_MEAN, IMAGENET_STD } from '../../../src/model/registry.ts';
import { normalizationTables } from '../../../src/preprocess/normalize.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: ort-reference.ts <dir of .rgb crops>');
const S = 224;
const session = await ort.InferenceSession.create(new URL('../models/mobilenetv2-12-int8.onnx', import.meta.url).pathname);
// torchvision's ToTensor + Normalize in float32 (the tables are that arithmetic; unit-tested against it).
const tables = normalizationTables(IMAGENET_MEAN, IMAGENET_STD);
const out: Record<string, [number, number][]> = {};
for (const f of readdirSync(dir).filter((x) => x.endsWith('.rgb')).sort()) {
  const rgb = readFileSync(`${dir}/${f}`);
  const t = new Float32Array(3 * S * S);
  for (let i = 0; i < S * S; i++) for (let c = 0; c < 3; c++) t[c * S * S + i] = tables[c][rgb[i * 3 + c]];
  const logits = (await session.run({ input: new ort.Tensor('float32', t, [1, 3, S, S]) })).output.data as Float32Array;
  const max = Math.max(...logits);
  const e = Array.from(logits, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  out[f.replace(/\.rgb$/, '')] = e
    .map((v, i): [number, number] => [i, Number((v / sum).toPrecision(7))])
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5);
}
const file = new URL('./mobilenetv2-bicubic235-ortnode.json', import.meta.url);
writeFileSync(file, `{"onnxruntime-node": "${ort.env.versions.node ?? '?'}", "top5": {\n${Object.entries(out).map(([f, v]) => `${JSON.stringify(f)}: ${JSON.stringify(v)}`).join(',\n')}\n}}\n`);
console.log(`${Object.keys(out).length} photos → ${file.pathname}`);
