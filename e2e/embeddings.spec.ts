/**
 * Embeddings (the pooled features, from the same run as the labels): parity with
 * onnxruntime-node's pooled output, near-duplicates among the 100 shared photos and edited copies,
 * models without one, the worker and WebGPU.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeModel, encodeModel } from '../src/tools/onnx.ts';
import { expect, listImages, MODELS_DIR, test } from './fixtures.ts';

const photos = listImages('imagenet').filter((f) => f.endsWith('.JPEG'));
const urls = photos.map((f) => `/test-images/imagenet/${f}`);

/** The model with `tensor` as an extra graph output, made with protobufjs (independently of src/model/graph.ts). */
function withOutput(file: string, tensor: string): Uint8Array {
  const model = decodeModel(readFileSync(path.join(MODELS_DIR, file)));
  model.graph!.output = [...(model.graph!.output ?? []), { name: tensor, type: { tensorType: { elemType: 1 } } }];
  return encodeModel(model);
}

// ResNet-56 on both paths (worker and page); ResNet-50 (a 100 MB model) in the worker only.
for (const [model, file, pooled, N, bothPaths] of [
  ['resnet56-cifar10', 'resnet56-cifar10.onnx', '/Flatten_output_0', 20, true],
  ['resnet50-untrained', 'resnet50-imagenet-untrained.onnx', '/Flatten_output_0', 4, false],
] as const) {
  test(`${model}: the embedding equals onnxruntime-node's pooled output on the same tensor (WASM, ${bothPaths ? 'worker and page' : 'worker'})`, async ({ harness }) => {
    const runs = await harness.evaluate(
      async ({ model, urls, bothPaths }) => {
        const spec = window.sdk.MODELS[model];
        const worker = await window.sdk.createClassifier({ model, backend: 'wasm' });
        const page = bothPaths ? await window.sdk.createClassifier({ model, backend: 'wasm', worker: false }) : worker;
        const b64 = (t: Float32Array) => {
          const b = new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
          let s = '';
          for (let k = 0; k < b.length; k += 0x8000) s += String.fromCharCode(...b.subarray(k, k + 0x8000));
          return btoa(s);
        };
        const out = [];
        for (const u of urls) {
          const tensor = window.sdk.preprocess(await window.sdk.toPixels(u, undefined, spec), spec);
          const raw = await worker.embed(u, { normalize: false });
          const unit = await page.embed(u);
          const both = await worker.analyze(u, { topK: 3 });
          const labels = await worker.classify(u, { topK: 3 });
          out.push({ tensor: b64(tensor), raw: Array.from(raw), unit: Array.from(unit), analyzed: both.predictions, classified: labels, analyzedEmbedding: Array.from(both.embedding) });
        }
        await worker.dispose();
        await page.dispose();
        return out;
      },
      { model, urls: urls.slice(0, N), bothPaths },
    );
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(withOutput(file, pooled));
    const S = model.startsWith('resnet56') ? 32 : 224;
    let worstRel = 0;
    let worstUnit = 0;
    for (const r of runs) {
      const b = Buffer.from(r.tensor, 'base64');
      const input = new ort.Tensor('float32', new Float32Array(b.buffer, b.byteOffset, b.length / 4), [1, 3, S, S]);
      const ref = Array.from((await session.run({ [session.inputNames[0]]: input }))[pooled].data as Float32Array);
      expect(r.raw).toHaveLength(ref.length);
      const scale = Math.max(...ref.map(Math.abs));
      worstRel = Math.max(worstRel, Math.max(...ref.map((v, i) => Math.abs(v - r.raw[i]))) / scale);
      // normalize (default): unit length, the same direction
      const norm = Math.hypot(...ref);
      worstUnit = Math.max(worstUnit, Math.max(...ref.map((v, i) => Math.abs(v / norm - r.unit[i]))));
      expect(r.analyzed).toEqual(r.classified); // analyze's labels are classify's
      expect(r.analyzedEmbedding.map((v, i) => Math.abs(v - r.unit[i])).every((d) => d < 1e-6)).toBe(true);
    }
    await session.release();
    console.log(`${model}: embedding (${runs[0].raw.length} values) vs onnxruntime-node over ${N} photos: max |Δ|/max|ref| ${worstRel.toExponential(2)}; normalized max |Δ| ${worstUnit.toExponential(2)}`);
    expect(worstRel).toBeLessThan(1e-4);
    expect(worstUnit).toBeLessThan(1e-4);
  });
}

/** The four edits of each photo the near-duplicate test makes. */
const EDITS = ['half size', 'JPEG quality 50', '90 % centre crop', 'brighter'] as const;

test('near-duplicates: edited copies of the 100 photos find their original (MobileNetV2-int8), findDuplicates groups them', async ({ harness }) => {
  const r = await harness.evaluate(
    async ({ urls, edits }) => {
      const c = await window.sdk.createClassifier({ model: 'mobilenetv2-int8', backend: 'wasm' });
      const canvas = (w: number, h: number) => {
        const cv = document.createElement('canvas');
        cv.width = Math.round(w);
        cv.height = Math.round(h);
        return [cv, cv.getContext('2d')!] as const;
      };
      const copies = async (u: string): Promise<(HTMLCanvasElement | Blob)[]> => {
        const img = await createImageBitmap(await (await fetch(u)).blob());
        const { width: w, height: h } = img;
        const [half, hc] = canvas(w / 2, h / 2);
        hc.drawImage(img, 0, 0, half.width, half.height);
        const [full, fc] = canvas(w, h);
        fc.drawImage(img, 0, 0);
        const jpeg = await new Promise<Blob>((resolve) => full.toBlob((b) => resolve(b!), 'image/jpeg', 0.5));
        const [crop, cc] = canvas(w * 0.9, h * 0.9);
        cc.drawImage(img, (w - crop.width) / 2, (h - crop.height) / 2, crop.width, crop.height, 0, 0, crop.width, crop.height);
        const [bright, bc] = canvas(w, h);
        bc.filter = 'brightness(1.15)';
        bc.drawImage(img, 0, 0);
        img.close();
        return [half, jpeg, crop, bright];
      };
      const originals: Float32Array[] = [];
      const edited: Float32Array[][] = edits.map(() => []);
      for (const u of urls) {
        originals.push(await c.embed(u));
        const made = await copies(u);
        for (const [k, image] of made.entries()) edited[k].push(await c.embed(image));
      }
      await c.dispose();
      const { nearest, findDuplicates, cosineSimilarity, quantizeEmbedding, DEFAULT_DUPLICATE_THRESHOLD } = window.sdk;
      // Each copy's nearest original.
      const hits = edited.map((list) => list.filter((e, i) => nearest(e, originals, 1)[0].index === i).length);
      const own = edited.map((list) => list.map((e, i) => cosineSimilarity(e, originals[i])));
      let others = -1;
      for (let i = 0; i < originals.length; i++) for (let j = i + 1; j < originals.length; j++) others = Math.max(others, cosineSimilarity(originals[i], originals[j]));
      // findDuplicates over all 500: item i·5 is original i, i·5+1… its copies.
      const items = originals.flatMap((o, i) => [o, ...edited.map((list) => list[i])]);
      const groups = findDuplicates(items);
      const groupOf = new Map<number, number[]>();
      for (const g of groups) for (const x of g) groupOf.set(x, g);
      const good = originals.filter((_, i) => {
        const g = groupOf.get(i * 5) ?? [];
        return g.length === 5 && g.every((x) => Math.floor(x / 5) === i);
      }).length;
      // int8 storage: the similarity error over every pair of originals.
      const q = originals.map(quantizeEmbedding);
      let qErr = 0;
      for (let i = 0; i < q.length; i++) for (let j = i + 1; j < q.length; j++) qErr = Math.max(qErr, Math.abs(cosineSimilarity(q[i], q[j]) - cosineSimilarity(originals[i], originals[j])));
      return { hits, ownMin: own.map((s) => Math.min(...s)), ownMedian: own.map((s) => [...s].sort((a, b) => a - b)[50]), others, good, groups: groups.length, qErr, threshold: DEFAULT_DUPLICATE_THRESHOLD, size: originals[0].length };
    },
    { urls, edits: [...EDITS] },
  );
  console.log(
    `MobileNetV2-int8 embeddings (${r.size} values), 100 photos × 4 edits: nearest original is its own: ` +
      EDITS.map((e, k) => `${e} ${r.hits[k]}/100 (own similarity min ${r.ownMin[k].toFixed(3)}, median ${r.ownMedian[k].toFixed(3)})`).join('; ') +
      `; most similar pair of different originals ${r.others.toFixed(3)}; findDuplicates (threshold ${r.threshold}): ${r.good}/100 originals grouped with exactly their 4 copies, ${r.groups} groups; ` +
      `int8 storage: max |Δ similarity| ${r.qErr.toExponential(2)}`,
  );
  for (const [k, e] of EDITS.entries()) expect(r.hits[k], e).toBeGreaterThanOrEqual(95);
  expect(r.good).toBeGreaterThanOrEqual(95);
  expect(r.qErr).toBeLessThan(0.01);
});

test('a model without a head has no embedding (embed says so, classify works); embeddingOutput names one; tagPhotos', async ({ harness }) => {
  // ResNet-56 cut before its Gemm: the 64 pooled features are its "logits".
  const cut = decodeModel(readFileSync(path.join(MODELS_DIR, 'resnet56-cifar10.onnx')));
  cut.graph!.node = cut.graph!.node!.filter((n) => n.opType !== 'Gemm');
  cut.graph!.node!.at(-1)!.output = ['logits'];
  cut.graph!.output = [{ name: 'logits', type: { tensorType: { elemType: 1 } } }]; // 64 values now, not 10
  const cutBytes = Buffer.from(encodeModel(cut));
  await harness.route('**/cut-resnet56.onnx', (route) => route.fulfill({ status: 200, body: cutBytes, headers: { 'content-type': 'application/octet-stream' } }));
  const r = await harness.evaluate(async () => {
    const { createClassifier, MODELS, tagPhotos } = window.sdk;
    const base = MODELS['resnet56-cifar10'];
    const spec = { ...base, url: '/cut-resnet56.onnx', sha256: undefined, precisions: undefined, labels: Array.from({ length: 64 }, (_, i) => `feature ${i}`), outputName: 'logits' };
    const photo = '/test-images/cifar10/ship/0000.jpg';
    const errorOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: string; message: string }) => `${e.code}: ${e.message}`);
    const out: Record<string, unknown> = {};
    // In the worker: canEmbed crosses with the rest of the classifier's description.
    const c = await createClassifier({ model: spec, backend: 'wasm' });
    out.canEmbed = c.canEmbed;
    out.classify = (await c.classify(photo, { topK: 1 })).length;
    out.embed = await errorOf(c.embed(photo));
    await c.dispose();
    out.missingTensor = await errorOf(createClassifier({ model: { ...base, embeddingOutput: 'no such tensor' }, backend: 'wasm' }));
    const named = await createClassifier({ model: { ...base, embeddingOutput: '/GlobalAveragePool_output_0' }, backend: 'wasm' });
    const found = await createClassifier({ model: 'resnet56-cifar10', backend: 'wasm' });
    out.named = (await named.embed(photo)).length;
    const fromFlatten = await found.embed(photo);
    const fromPool = await named.embed(photo);
    out.poolVsFlatten = Math.max(...Array.from(fromFlatten).map((v, i) => Math.abs(v - fromPool[i])));
    const blob = await (await fetch(photo)).blob();
    const tagged = await tagPhotos(found, [blob, blob], { embed: true, topK: 2 });
    out.tagged = tagged.map((t) => ({ n: t.predictions.length, size: t.embedding?.length, same: t.embedding ? Math.max(...Array.from(t.embedding).map((v, i) => Math.abs(v - fromFlatten[i]))) : -1 }));
    for (const c of [named, found]) await c.dispose();
    return out;
  });
  console.log(JSON.stringify(r));
  expect(r.canEmbed).toBe(false);
  expect(r.classify).toBe(1);
  expect(r.embed).toMatch(/^MODEL_LOAD_FAILED: the model at .*cut-resnet56\.onnx has no embedding: no Gemm\/MatMul feeds its output "logits"/);
  expect(r.missingTensor).toMatch(/^MODEL_LOAD_FAILED: ModelSpec\.embeddingOutput: .* has no tensor named "no such tensor"/);
  expect(r.named).toBe(64);
  expect(r.poolVsFlatten).toBeLessThan(1e-6); // the pooled tensor, before and after Flatten
  expect(r.tagged).toEqual([{ n: 2, size: 64, same: expect.any(Number) }, { n: 2, size: 64, same: expect.any(Number) }]);
  for (const t of r.tagged as { same: number }[]) expect(t.same).toBeLessThan(1e-6);
  // WebGPU: in e2e/watch.spec.ts, on the same WebGPU classifier as its video test.
});
