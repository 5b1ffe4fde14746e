/**
 * Real ImageNet photos on WASM against the reference pipeline (Pillow + torchvision + PyTorch):
 * real labels (MobileNetV2-int8), ResNet-56 on the photos resized to 32; and the generated
 * ResNet-50 (random weights) against onnxruntime-node on the same tensors. The preprocessing
 * itself is compared with Pillow's, byte for byte, in interpolation.spec.ts.
 */
import path from 'node:path';
import { CLASSIC, expect, listImages, MODELS_DIR, reference, test } from './fixtures.ts';

const photos = listImages('imagenet').filter((f) => f.endsWith('.JPEG'));
const urls = photos.map((f) => `/test-images/imagenet/${f}`);

test.describe('ImageNet photos on WASM', () => {
  test('the 5 classic photos: MobileNetV2-int8 top-1 is the class in the file name', async ({ harness }) => {
    const expected = CLASSIC;
    const files = Object.keys(expected);
    const result = await harness.evaluate(async (files) => {
      const c = await window.sdk.createClassifier({ model: 'mobilenetv2-int8', backend: 'wasm' });
      const out = [];
      for (const f of files) out.push(await c.classify(`/test-images/classic/${f}`));
      await c.dispose();
      return { backend: c.backend, out };
    }, files);
    expect(result.backend).toBe('wasm');
    files.forEach((f, i) => {
      const top = result.out[i];
      console.log(`${f}: ${top[0].index} ${top[0].label} (${(top[0].score * 100).toFixed(1)} %)`);
      expect(top).toHaveLength(5);
      expect(expected[f], `${f} top-1 was ${top[0].index} ${top[0].label}`).toContain(top[0].index);
      expect(top[0].score).toBeGreaterThan(top[1].score);
    });
  });

  test('MobileNetV2-int8: real labels, and the reference onnxruntime run\'s top-1 and scores', async ({ harness }) => {
    // The reference ran this int8 model through onnxruntime-node 1.30 on its own tensors
    // (mobilenetv2_int8_ortnode_top5), and through an older runtime (mobilenetv2_int8_top5, which
    // agrees with onnxruntime 1.30 on only ~79). Native int8 kernels also differ between CPUs: on
    // an AMD EPYC without AVX-512/VNNI, onnxruntime-node here gave logits up to 8.2 away from the
    // WASM kernels on identical tensors, while on the machine that made the reference the two were
    // identical. So the check is against the reference's onnxruntime 1.30 run, as DESIGN.md says:
    // the same top-1 on ≥ 99 of 100 photos, and the same scores (here: all 100, |Δ| < 5e-7).
    const top5 = await harness.evaluate(async (urls) => {
      const c = await window.sdk.createClassifier({ model: 'mobilenetv2-int8', backend: 'wasm' });
      const out: { index: number; score: number }[][] = [];
      for (const u of urls) out.push((await c.classify(u)).map(({ index, score }) => ({ index, score })));
      await c.dispose();
      return out;
    }, urls);
    const ref = (f: string) => reference.imagenet[f];
    const ort = (f: string) => ref(f).mobilenetv2_int8_ortnode_top5;
    const agree = photos.filter((f, i) => top5[i][0].index === ort(f)[0][0]).length;
    const agreeOld = photos.filter((f, i) => top5[i][0].index === ref(f).mobilenetv2_int8_top5[0]).length;
    const correct = photos.filter((f, i) => top5[i][0].index === ref(f).class_index).length;
    const correct5 = photos.filter((f, i) => top5[i].some((p) => p.index === ref(f).class_index)).length;
    const dScore = photos
      .filter((f, i) => top5[i][0].index === ort(f)[0][0])
      .map((f) => Math.abs(top5[photos.indexOf(f)][0].score - ort(f)[0][1]))
      .sort((x, y) => x - y);
    const medianD = dScore[dScore.length >> 1];
    console.log(
      `MobileNetV2-int8 on 100 photos: top-1 correct ${correct}, top-5 correct ${correct5} (reference onnxruntime 1.30: 82); ` +
        `top-1 = reference onnxruntime run's ${agree}/100 (older runtime's: ${agreeOld}/100); ` +
        `top-1 score vs reference: median |Δ| ${medianD.toExponential(2)}, max ${dScore[dScore.length - 1].toExponential(2)}`,
    );
    expect(agree).toBeGreaterThanOrEqual(99);
    expect(correct).toBeGreaterThanOrEqual(80);
    expect(correct5).toBeGreaterThanOrEqual(93);
    expect(dScore[dScore.length - 1]).toBeLessThan(1e-5); // the reference is rounded to 6 decimals
  });

  test('ResNet-56 (CIFAR-10) on the photos resized to 32: top-1 matches the reference on ≥ 90 of 100', async ({ harness }) => {
    const top1 = await harness.evaluate(async (urls) => {
      const c = await window.sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm', topK: 1 });
      const out: number[] = [];
      for (const u of urls) out.push((await c.classify(u))[0].index);
      await c.dispose();
      return out;
    }, urls);
    const agree = photos.filter((f, i) => top1[i] === reference.imagenet[f].resnet56_cifar10_top5_resized[0][0]).length;
    console.log(`ResNet-56 on photos resized to 32: top-1 agreement with reference ${agree}/100`);
    expect(agree).toBeGreaterThanOrEqual(90);
  });

  test("ResNet-50 (generated, random weights): the browser's logits equal onnxruntime-node's on the same input tensors", async ({ harness }) => {
    const N = Number(process.env.RESNET50_PHOTOS ?? 100);
    // Each photo's input tensor as classify makes it (the windowed read: checked against Pillow in interpolation.spec.ts) and the
    // classifier's logits for it; then the same tensor through onnxruntime-node here.
    await harness.evaluate(async () => {
      (window as unknown as { r50: unknown }).r50 = await window.sdk.createClassifier({ model: 'resnet50-untrained', backend: 'wasm' });
    });
    const runs: { tensor: Float32Array; logits: number[] }[] = [];
    for (let i = 0; i < N; i += 10) {
      const chunk = await harness.evaluate(async (urls) => {
        const c = (window as unknown as { r50: Awaited<ReturnType<typeof window.sdk.createClassifier>> }).r50;
        const spec = window.sdk.MODELS['resnet50-untrained'];
        const base64 = (t: Float32Array) => {
          const b = new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
          let s = '';
          for (let k = 0; k < b.length; k += 0x8000) s += String.fromCharCode(...b.subarray(k, k + 0x8000));
          return btoa(s);
        };
        const out: { tensor: string; logits: number[] }[] = [];
        for (const u of urls) {
          const tensor = window.sdk.preprocess(await window.sdk.toPixels(u, undefined, spec), spec);
          out.push({ tensor: base64(tensor), logits: Array.from(await c.logits(u)) });
        }
        return out;
      }, urls.slice(i, Math.min(i + 10, N)));
      for (const r of chunk) {
        const b = Buffer.from(r.tensor, 'base64');
        runs.push({ tensor: new Float32Array(b.buffer, b.byteOffset, b.length / 4), logits: r.logits });
      }
    }
    await harness.evaluate(() => (window as unknown as { r50: { dispose(): Promise<void> } }).r50.dispose());

    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(path.join(MODELS_DIR, 'resnet50-imagenet-untrained.onnx'));
    let maxAbs = 0;
    let maxRel = 0;
    let sumAbs = 0;
    let top1 = 0;
    let refScale = 0;
    for (const { tensor, logits: ours } of runs) {
      expect(tensor).toHaveLength(3 * 224 * 224);
      expect(ours).toHaveLength(1000);
      const ref = (await session.run({ input: new ort.Tensor('float32', tensor, [1, 3, 224, 224]) })).logits.data as Float32Array;
      let scale = 0;
      let worst = 0;
      for (let k = 0; k < 1000; k++) {
        const d = Math.abs(ours[k] - ref[k]);
        worst = Math.max(worst, d);
        sumAbs += d;
        scale = Math.max(scale, Math.abs(ref[k]));
      }
      maxAbs = Math.max(maxAbs, worst);
      maxRel = Math.max(maxRel, worst / scale);
      refScale = Math.max(refScale, scale);
      const argmax = (a: ArrayLike<number>) => Array.prototype.indexOf.call(a, Math.max(...Array.from(a)));
      if (argmax(ours) === argmax(ref)) top1++;
    }
    await session.release();
    console.log(
      `ResNet-50 logits over ${N} photos vs onnxruntime-node: max |Δ| ${maxAbs.toExponential(2)}, mean |Δ| ${(sumAbs / N / 1000).toExponential(2)}, ` +
        `max |Δ|/max|ref| ${maxRel.toExponential(2)} (max |ref| ${refScale.toFixed(1)}), argmax agreement ${top1}/${N}`,
    );
    expect(runs).toHaveLength(N);
    // Random weights give logits of real spread, not a constant that any input would match.
    expect(refScale).toBeGreaterThan(1);
    // Both sides run float32 convolutions over ~4.1 G multiply-adds in different orders (WASM SIMD
    // kernels vs native ones), so logits differ by float rounding only; the bounds are a
    // thousandth of the logit scale.
    expect(maxAbs).toBeLessThan(1e-2);
    expect(maxRel).toBeLessThan(1e-3);
    expect(top1).toBe(N);
  });
});
