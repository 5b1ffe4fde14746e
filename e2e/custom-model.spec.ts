/**
 * Bring your own model: a ResNet-20 wrapped to take Keras' `caffe` input (NHWC, BGR, 0–255 minus
 * the mean) classifies as the original does; a 3-class head made from ResNet-56's own Gemm gets
 * its labels from the model's metadata_props (or a JSON file) and scores that follow from the
 * original's; a class-count mismatch and a model without labels fail clearly. The models are made
 * here with protobufjs (src/tools/onnx.ts) and served to the page. (On WebGPU, the shaders' NHWC/BGR/0–255
 * tensors are checked in interpolation.spec.ts; a WebGPU session costs ~15 s on SwiftShader.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { DataType, decodeModel, encodeModel, type TensorProto } from '../src/tools/onnx.ts';
import { expect, listImages, MODELS_DIR, test } from './fixtures.ts';

const RESNET56 = path.join(MODELS_DIR, 'resnet56-cifar10.onnx');
const RESNET20 = path.join(MODELS_DIR, 'resnet20-cifar10.onnx');
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
/** Keras' `caffe` means, in its channel order (B, G, R). */
const CAFFE_BGR = [103.939, 116.779, 123.68];

const floats = (name: string, dims: number[], values: number[]): TensorProto => ({
  name, dims, dataType: DataType.FLOAT, rawData: new Uint8Array(new Float32Array(values).buffer),
});

/**
 * ResNet-20 behind Keras' `caffe` input: [N,32,32,3], BGR, 0–255 minus CAFFE_BGR. In front of the
 * original graph: Transpose to NCHW, Gather the channels back to RGB, then x·a + b per channel,
 * which is the original's (v/255 − mean)/std again.
 */
function caffeWrapped(): Uint8Array {
  const m = decodeModel(readFileSync(RESNET20));
  const g = m.graph!;
  const a = [0, 1, 2].map((c) => 1 / (255 * STD[c]));
  const b = [0, 1, 2].map((c) => CAFFE_BGR[2 - c] / (255 * STD[c]) - MEAN[c] / STD[c]);
  g.initializer!.push(
    { name: 'bgr_to_rgb', dims: [3], dataType: DataType.INT64, int64Data: [2, 1, 0] },
    floats('caffe_scale', [1, 3, 1, 1], a),
    floats('caffe_bias', [1, 3, 1, 1], b),
  );
  g.node!.unshift(
    { opType: 'Transpose', input: ['input_bgr_nhwc'], output: ['nchw_bgr'], attribute: [{ name: 'perm', type: 7, ints: [0, 3, 1, 2] }] },
    { opType: 'Gather', input: ['nchw_bgr', 'bgr_to_rgb'], output: ['nchw_rgb'], attribute: [{ name: 'axis', type: 2, i: 1 }] },
    { opType: 'Mul', input: ['nchw_rgb', 'caffe_scale'], output: ['scaled'] },
    { opType: 'Add', input: ['scaled', 'caffe_bias'], output: ['input'] },
  );
  g.input = [{ name: 'input_bgr_nhwc', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 32 }, { dimValue: 32 }, { dimValue: 3 }] } } } }];
  return encodeModel(m);
}

/** ResNet-56 with a head of 3 classes: rows `rows` of its own Gemm; `labels` in metadata_props when given. */
function threeClassHead(rows: number[], labels?: Record<string, string>): Uint8Array {
  const m = decodeModel(readFileSync(RESNET56));
  const g = m.graph!;
  const weight = g.initializer!.find((t) => t.name === 'linear.weight')!; // [10, 64], transB = 1
  const bias = g.initializer!.find((t) => t.name === 'linear.bias')!;
  const w = new Float32Array(new Uint8Array(weight.rawData!).buffer);
  const bv = new Float32Array(new Uint8Array(bias.rawData!).buffer);
  Object.assign(weight, floats('linear.weight', [3, 64], rows.flatMap((r) => Array.from(w.subarray(r * 64, (r + 1) * 64)))));
  Object.assign(bias, floats('linear.bias', [3], rows.map((r) => bv[r])));
  g.output![0].type!.tensorType!.shape!.dim![1] = { dimValue: 3 };
  if (labels) m.metadataProps = [{ key: 'id2label', value: JSON.stringify(labels) }, { key: 'author', value: 'resnet-web e2e' }];
  return encodeModel(m);
}

async function serve(page: Page, files: Record<string, Uint8Array | string>): Promise<void> {
  for (const [name, body] of Object.entries(files)) {
    await page.route(`**/custom/${name}`, (route) =>
      route.fulfill({ status: 200, body: typeof body === 'string' ? body : Buffer.from(body), headers: { 'content-type': name.endsWith('.json') ? 'application/json' : 'application/octet-stream' } }),
    );
  }
}

// 10 CIFAR-10 test photos of each class.
const cifar = listImages('cifar10').flatMap((c) => listImages(`cifar10/${c}`).slice(0, 10).map((f) => `/test-images/cifar10/${c}/${f}`));

test("NHWC, BGR, 0–255 (Keras 'caffe'): a wrapped ResNet-20 classifies 100 photos as the original does; a layout mismatch says so", async ({ harness }) => {
  await serve(harness, { 'caffe-resnet20.onnx': caffeWrapped() });
  const r = await harness.evaluate(async ({ urls, caffe }) => {
    const { sdk } = window;
    const base = sdk.MODELS['resnet20-cifar10'];
    const spec = {
      url: '/custom/caffe-resnet20.onnx', inputSize: 32, resizeTo: 32, labels: base.labels, inputName: 'input_bgr_nhwc',
      layout: 'NHWC', channelOrder: 'BGR', pixelScale: 1, mean: caffe, std: [1, 1, 1],
    } as const;
    const original = await sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'wasm', topK: 5, worker: false });
    const wrapped = await sdk.createClassifier({ model: { ...spec, mean: [...spec.mean] as [number, number, number], std: [1, 1, 1] }, backend: 'wasm', topK: 5 });
    // In batches ([25,3,32,32] and [25,32,32,3] runs): the batch path writes NHWC too.
    const a = [];
    const b = [];
    for (let i = 0; i < urls.length; i += 25) {
      a.push(...(await original.classifyBatch(urls.slice(i, i + 25))));
      b.push(...(await wrapped.classifyBatch(urls.slice(i, i + 25))));
    }
    await Promise.all([original.dispose(), wrapped.dispose()]);
    const nchw = await sdk
      .createClassifier({ model: { ...spec, layout: 'NCHW', mean: [...spec.mean] as [number, number, number], std: [1, 1, 1] }, backend: 'wasm', worker: false })
      .then(() => 'loaded', (e: Error & { code?: string }) => `${e.code}: ${e.message}`);
    return { a, b, nchw };
  }, { urls: cifar, caffe: CAFFE_BGR });
  let sameTop5 = 0;
  let worst = 0;
  r.a.forEach((p, i) => {
    if (p.map((x) => x.index).join() === r.b[i].map((x) => x.index).join()) sameTop5++;
    p.forEach((x, k) => (worst = Math.max(worst, Math.abs(x.score - r.b[i][k].score))));
  });
  console.log(`caffe-wrapped vs original ResNet-20 over ${r.a.length} photos: same top-5 on ${sameTop5}; scores max |Δ| ${worst.toExponential(2)}`);
  expect(sameTop5).toBe(100);
  expect(worst).toBeLessThan(1e-5);
  expect(r.b[0][0].label).toBe(r.a[0][0].label);
  expect(r.nchw).toMatch(/^MODEL_LOAD_FAILED: wrong model file: expected input shape \[N,3,32,32\], the model has \[batch,32,32,3\] \(channels last: set ModelSpec.layout to 'NHWC'\)/);
});

test('a custom 3-class head: labels from metadata_props (or a JSON file), scores that follow from the original logits; mismatches fail clearly', async ({ harness }) => {
  const rows = [3, 5, 8]; // cat, dog, ship
  await serve(harness, {
    'pets.onnx': threeClassHead(rows, { 0: 'kitty', 1: 'puppy', 2: 'boat' }),
    'pets-bare.onnx': threeClassHead(rows),
    'pets-config.json': JSON.stringify({ architectures: ['ResNetForImageClassification'], id2label: { 0: 'cat', 1: 'dog', 2: 'ship' } }),
  });
  const photos = cifar.filter((u) => /\/(cat|dog|ship)\//.test(u));
  const r = await harness.evaluate(async ({ urls }) => {
    const { sdk } = window;
    const base = sdk.MODELS['resnet56-cifar10'];
    const spec = { url: '/custom/pets.onnx', inputSize: 32, resizeTo: 32, mean: base.mean, std: base.std, inputName: 'input', outputName: 'logits' };
    const original = await sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm', topK: 10, worker: false });
    const pets = await sdk.createClassifier({ model: spec, backend: 'wasm', topK: 3 }); // in the worker (the default)
    const fromFile = await sdk.createClassifier({ model: { ...spec, labels: '/custom/pets-config.json' }, backend: 'wasm', worker: false });
    const [o, p, f] = await Promise.all([original.classifyBatch(urls), pets.classifyBatch(urls), fromFile.classifyBatch(urls)]);
    const out = urls.map((_, i) => ({ original: o[i], pets: p[i], file: f[i][0].label }));
    const labels = { worker: pets.labels, page: fromFile.labels };
    await Promise.all([original.dispose(), pets.dispose(), fromFile.dispose()]);
    const fail = (model: object) => sdk.createClassifier({ model: model as typeof spec, backend: 'wasm', worker: false }).then(() => 'loaded', (e: Error & { code?: string }) => `${e.code}: ${e.message}`);
    return {
      out,
      labels,
      fourLabels: await fail({ ...spec, labels: ['a', 'b', 'c', 'd'] }),
      bare: await fail({ ...spec, url: '/custom/pets-bare.onnx' }),
    };
  }, { urls: photos });
  expect(r.labels.worker).toEqual(['kitty', 'puppy', 'boat']);
  expect(r.labels.page).toEqual(['cat', 'dog', 'ship']);
  let worst = 0;
  r.out.forEach(({ original, pets, file }) => {
    const p = rows.map((c) => original.find((x) => x.index === c)!.score);
    const sum = p.reduce((a, b) => a + b, 0);
    const best = p.indexOf(Math.max(...p));
    expect(pets[0].label).toBe(['kitty', 'puppy', 'boat'][best]);
    expect(file).toBe(['cat', 'dog', 'ship'][best]);
    expect(pets.map((x) => x.index).sort()).toEqual([0, 1, 2]);
    pets.forEach((x) => (worst = Math.max(worst, Math.abs(x.score - p[x.index] / sum))));
  });
  console.log(`3-class head over ${r.out.length} photos: scores vs the original's renormalized over cat/dog/ship: max |Δ| ${worst.toExponential(2)}`);
  expect(worst).toBeLessThan(1e-5);
  expect(r.fourLabels).toMatch(/^MODEL_LOAD_FAILED: wrong model file or labels: the labels list 4 classes, the model has 3 outputs/);
  expect(r.bare).toMatch(/^MODEL_LOAD_FAILED: no labels for the model at .*pets-bare\.onnx: give ModelSpec\.labels .* metadata_props as "id2label"/);
});
