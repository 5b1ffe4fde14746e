/**
 * The interpolations against Pillow on the 100 shared ImageNet photos, decoded by the browser:
 * each run of test/data/pillow/photos.json (nearest, bilinear, bicubic, Lanczos at 256; bicubic
 * at 235) gives the same crop bytes. classify decodes only the window the crop reads (the same
 * bytes: test/interpolation.test.ts), and the MobileNetV2-int8 test here goes through classify:
 * fed timm-style (bicubic, crop_pct 0.95) it agrees with native onnxruntime run on Pillow's own
 * tensors (test/data/pillow/mobilenetv2-bicubic235-ortnode.json). The WebGPU shaders give the CPU
 * tensors for every filter and input format: preprocess-gpu.spec.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, listImages, reference, test } from './fixtures.ts';

interface PhotoStats {
  mean: [number, number, number];
  detail: [number, number, number];
  sha256: string;
}
const PILLOW = path.join(import.meta.dirname, '../test/data/pillow');
const pillow = JSON.parse(readFileSync(path.join(PILLOW, 'photos.json'), 'utf8')) as { pillow: string; runs: Record<string, Record<string, PhotoStats>> };
const ortBicubic = JSON.parse(readFileSync(path.join(PILLOW, 'mobilenetv2-bicubic235-ortnode.json'), 'utf8')) as { top5: Record<string, [number, number][]> };
const photos = listImages('imagenet').filter((f) => f.endsWith('.JPEG'));
const runs = Object.keys(pillow.runs).map((k) => {
  const [interpolation, size] = k.split('-');
  return { key: k, interpolation, resizeTo: Number(size) };
});

test(`each interpolation gives Pillow ${pillow.pillow}'s crop on the 100 photos (${runs.map((r) => r.key).join(', ')})`, async ({ harness }) => {
  const ours = await harness.evaluate(
    async ({ urls, runs }) => {
      const { sdk } = window;
      const hex = async (b: Uint8Array<ArrayBuffer>) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', b)), (x) => x.toString(16).padStart(2, '0')).join('');
      const mean = [0.485, 0.456, 0.406] as [number, number, number];
      const std = [0.229, 0.224, 0.225] as [number, number, number];
      const out: Record<string, { mean: number[]; detail: number[]; sha256: string }[]> = {};
      for (const r of runs) out[r.key] = [];
      for (const u of urls) {
        const pixels = await sdk.toPixels(u);
        for (const r of runs) {
          const params = { inputSize: 224, resizeTo: r.resizeTo, interpolation: r.interpolation as 'bicubic', mean, std };
          const rgb = sdk.resizeAndCrop(pixels, r.resizeTo, 224, params.interpolation).slice();
          const t = sdk.preprocess(pixels, params);
          const plane = 224 * 224;
          const detail = [0, 1, 2].map((c) => {
            let dx = 0;
            let dy = 0;
            for (let y = 0; y < 224; y++) {
              for (let x = 0; x < 224; x++) {
                const p = (y * 224 + x) * 3 + c;
                if (x < 223) dx += Math.abs(rgb[p + 3] - rgb[p]);
                if (y < 223) dy += Math.abs(rgb[p + 224 * 3] - rgb[p]);
              }
            }
            return (dx / (224 * 223) + dy / (223 * 224)) / 2;
          });
          out[r.key].push({
            mean: [0, 1, 2].map((c) => t.subarray(c * plane, (c + 1) * plane).reduce((a, b) => a + b, 0) / plane),
            detail,
            sha256: await hex(rgb),
          });
        }
        pixels.release?.();
      }
      return out;
    },
    { urls: photos.map((f) => `/test-images/imagenet/${f}`), runs },
  );
  for (const r of runs) {
    const ref = pillow.runs[r.key];
    let meanWorst = 0;
    let detailWorst = 0;
    let exact = 0;
    photos.forEach((f, i) => {
      const o = ours[r.key][i];
      for (let c = 0; c < 3; c++) {
        meanWorst = Math.max(meanWorst, Math.abs(o.mean[c] - ref[f].mean[c]));
        detailWorst = Math.max(detailWorst, Math.abs(o.detail[c] - ref[f].detail[c]));
      }
      if (o.sha256 === ref[f].sha256) exact++;
    });
    // How far apart the filters are: the smallest |Δ detail| between this run and another run of
    // the same size, per photo, over the photos (what a wrong filter would show).
    const others = runs.filter((x) => x.key !== r.key && x.resizeTo === r.resizeTo);
    const gap = Math.min(...photos.map((f) => Math.min(...others.map((x) => Math.max(...[0, 1, 2].map((c) => Math.abs(pillow.runs[x.key][f].detail[c] - ref[f].detail[c])))))));
    console.log(
      `${r.key}: crop bytes identical to Pillow's on ${exact}/100 photos; channel means max |Δ| ${meanWorst.toExponential(2)}; ` +
        `detail (mean |neighbour Δ|) max |Δ| ${detailWorst.toFixed(4)} levels (closest other filter: ${Number.isFinite(gap) ? gap.toFixed(3) : '–'})`,
    );
    // The bilinear bound of e2e/imagenet.spec.ts (the reference means are rounded to 6 decimals here).
    expect(meanWorst, r.key).toBeLessThan(1e-4);
    expect(exact, `${r.key}: photos whose crop bytes equal Pillow's`).toBe(100);
    expect(detailWorst, r.key).toBeLessThan(1e-6); // Pillow's figures are rounded to 6 decimals
  }
});

test('MobileNetV2-int8 with bicubic 235 → 224 (timm crop_pct 0.95) agrees with native onnxruntime on Pillow\'s bicubic tensors', async ({ harness }) => {
  const top5 = await harness.evaluate(async (urls) => {
    const base = window.sdk.MODELS['mobilenetv2-int8'];
    const c = await window.sdk.createClassifier({ model: { ...base, interpolation: 'bicubic', resizeTo: 235 }, backend: 'wasm' });
    const out: { index: number; score: number }[][] = [];
    for (let i = 0; i < urls.length; i += 10) {
      for (const p of await c.classifyBatch(urls.slice(i, i + 10))) out.push(p.map(({ index, score }) => ({ index, score })));
    }
    await c.dispose();
    return out;
  }, photos.map((f) => `/test-images/imagenet/${f}`));
  const ort = (f: string) => ortBicubic.top5[f];
  const agree = photos.filter((f, i) => top5[i][0].index === ort(f)[0][0]).length;
  const bilinearAgree = photos.filter((f) => ort(f)[0][0] === reference.imagenet[f].mobilenetv2_int8_ortnode_top5[0][0]).length;
  const correct = photos.filter((f, i) => top5[i][0].index === reference.imagenet[f].class_index).length;
  let scoreWorst = 0;
  photos.forEach((f, i) => {
    if (top5[i][0].index === ort(f)[0][0]) scoreWorst = Math.max(scoreWorst, Math.abs(top5[i][0].score - ort(f)[0][1]));
  });
  console.log(
    `bicubic 235: top-1 = native onnxruntime's on ${agree}/100 (top-1 score max |Δ| ${scoreWorst.toExponential(2)}); ` +
      `top-1 correct ${correct}/100. For scale: native top-1 with bilinear 256 (the default) and with bicubic 235 agree on only ${bilinearAgree}/100`,
  );
  expect(agree).toBeGreaterThanOrEqual(99);
  expect(scoreWorst).toBeLessThan(1e-3);
  expect(bilinearAgree).toBeLessThan(99); // the check can tell the two pipelines apart
});
