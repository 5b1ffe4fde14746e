/**
 * Real ImageNet photos on WASM against the reference pipeline (Pillow + torchvision + PyTorch):
 * preprocessing, real labels (MobileNetV2-int8), ResNet-56 on the photos resized to 32, and
 * ResNet-50 (random weights) logits.
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

  test('preprocessing matches the reference tensor (per-channel mean) on all 100 photos', async ({ harness }) => {
    const { means, windowDiff } = await harness.evaluate(async (urls) => {
      const spec = window.sdk.MODELS['resnet50-untrained'];
      const out: number[][] = [];
      let windowDiff = 0;
      for (const u of urls) {
        const t = window.sdk.preprocess(await window.sdk.toPixels(u), spec);
        // What classify does: read back only the part of the image the crop uses.
        const w = window.sdk.preprocess(await window.sdk.toPixels(u, undefined, spec), spec);
        t.forEach((v, i) => (windowDiff = Math.max(windowDiff, Math.abs(v - w[i]))));
        const plane = t.length / 3;
        out.push([0, 1, 2].map((c) => t.subarray(c * plane, (c + 1) * plane).reduce((a, b) => a + b, 0) / plane));
      }
      return { means: out, windowDiff };
    }, urls);
    expect(windowDiff).toBe(0);
    let worst = 0;
    photos.forEach((f, i) => {
      const ref = reference.imagenet[f].input_channel_mean;
      for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(means[i][c] - ref[c]));
    });
    console.log(`input_channel_mean: max |ours − reference| over 100 photos × 3 channels = ${worst.toExponential(2)}`);
    // The reference is rounded to 5 decimals (±5e-6). One grey level on every pixel of a channel
    // moves its mean by 1/255/0.229 ≈ 0.017; 1e-4 allows a one-level difference on < 0.6 % of pixels.
    expect(worst).toBeLessThan(1e-4);
  });

  test('MobileNetV2-int8: real labels, and the same numbers as native onnxruntime on the same tensor', async ({ harness }) => {
    // The reference ran this int8 model with onnxruntime's native CPU kernels on another machine;
    // int8 kernels differ between CPUs (this machine's native onnxruntime gives the same top-1 as
    // our WASM run on all 100 photos, and agrees with the reference on only ~79). So: check the
    // labels, check parity with native onnxruntime here, and check the reference's top-1 is in our top-5.
    const PARITY = 8;
    const result = await harness.evaluate(
      async ({ urls, parity }) => {
        const c = await window.sdk.createClassifier({ model: 'mobilenetv2-int8', backend: 'wasm' });
        const top5: number[][] = [];
        const samples: { tensor: string; logits: number[] }[] = [];
        for (const [i, u] of urls.entries()) {
          top5.push((await c.classify(u)).map((p) => p.index));
          if (i < parity) {
            const t = window.sdk.preprocess(await window.sdk.toPixels(u), c.model);
            const bytes = new Uint8Array(t.buffer);
            let s = '';
            for (let j = 0; j < bytes.length; j += 0x8000) s += String.fromCharCode(...bytes.subarray(j, j + 0x8000));
            samples.push({ tensor: btoa(s), logits: Array.from(await c.logits(u)) });
          }
        }
        await c.dispose();
        return { top5, samples };
      },
      { urls, parity: PARITY },
    );
    const ref = (f: string) => reference.imagenet[f];
    const agree = photos.filter((f, i) => result.top5[i][0] === ref(f).mobilenetv2_int8_top5[0]).length;
    const correct = photos.filter((f, i) => result.top5[i][0] === ref(f).class_index).length;
    const correct5 = photos.filter((f, i) => result.top5[i].includes(ref(f).class_index)).length;
    const refIn5 = photos.filter((f, i) => result.top5[i].includes(ref(f).mobilenetv2_int8_top5[0])).length;
    console.log(
      `MobileNetV2-int8 on 100 photos: top-1 correct ${correct}, top-5 correct ${correct5} (reference: 74 and 93); ` +
        `top-1 = reference's ${agree}/100; reference's top-1 within our top-5 ${refIn5}/100`,
    );
    expect(correct).toBeGreaterThanOrEqual(74);
    expect(correct5).toBeGreaterThanOrEqual(90);
    expect(refIn5).toBeGreaterThanOrEqual(93);

    // Same tensor through native onnxruntime (Node): the browser runtime must give the same logits.
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(path.join(MODELS_DIR, 'mobilenetv2-12-int8.onnx'));
    let worst = 0;
    for (const s of result.samples) {
      const buf = Buffer.from(s.tensor, 'base64');
      const x = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
      const native = (await session.run({ input: new ort.Tensor('float32', x, [1, 3, 224, 224]) })).output.data as Float32Array;
      s.logits.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - native[k]))));
    }
    await session.release();
    console.log(`MobileNetV2-int8 WASM vs native onnxruntime on ${PARITY} identical tensors: max |Δ logit| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-3);
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

  test('ResNet-50 (random weights) logits are close to the reference', async ({ harness }) => {
    const N = Number(process.env.RESNET50_PHOTOS ?? 100);
    const logits = await harness.evaluate(async (urls) => {
      const c = await window.sdk.createClassifier({ model: 'resnet50-untrained', backend: 'wasm' });
      const out: number[][] = [];
      for (const u of urls) out.push(Array.from(await c.logits(u)));
      await c.dispose();
      return out;
    }, urls.slice(0, N));
    let maxAbs = 0;
    let maxRel = 0;
    let sumAbs = 0;
    let top1 = 0;
    photos.slice(0, N).forEach((f, i) => {
      const ref = reference.imagenet[f].resnet50_untrained_logits;
      const ours = logits[i];
      expect(ours).toHaveLength(1000);
      let scale = 0;
      for (let k = 0; k < 1000; k++) {
        const d = Math.abs(ours[k] - ref[k]);
        maxAbs = Math.max(maxAbs, d);
        sumAbs += d;
        scale = Math.max(scale, Math.abs(ref[k]));
      }
      maxRel = Math.max(maxRel, Math.max(...ours.map((v, k) => Math.abs(v - ref[k]))) / scale);
      const argmax = (a: number[]) => a.indexOf(Math.max(...a));
      if (argmax(ours) === argmax(ref)) top1++;
    });
    console.log(
      `ResNet-50 logits over ${N} photos: max |Δ| ${maxAbs.toFixed(4)}, mean |Δ| ${(sumAbs / N / 1000).toExponential(2)}, ` +
        `max |Δ|/max|ref| ${maxRel.toExponential(2)}, argmax agreement ${top1}/${N}`,
    );
    // Both sides run float32 convolutions over ~4.1 G multiply-adds in different orders, so logits
    // (|ref| up to ~60) differ by float rounding: measured ~2e-4 at most. The bound keeps 50×
    // headroom for that and for JPEG decoder rounding, and is still a thousandth of the logit scale.
    expect(maxAbs).toBeLessThan(1e-2);
    expect(maxRel).toBeLessThan(1e-3);
    expect(top1).toBe(N);
  });
});
