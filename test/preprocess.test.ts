import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbaImage } from '../src/input/pixels.ts';
import { preprocess, resizeAndCrop } from '../src/preprocess/cpu.ts';
import { cropOffset, resizedSize, resizeTaps, roundHalfEven, sourceRect } from '../src/preprocess/geometry.ts';
import { normalizationTables } from '../src/preprocess/normalize.ts';
import { useSimdResize } from '../src/preprocess/simd.ts';

/** An RGBA image from rows of [r, g, b] triples (alpha 255). */
function image(rows: number[][][]): RgbaImage {
  const height = rows.length;
  const width = rows[0].length;
  const data = new Uint8ClampedArray(width * height * 4);
  rows.flat().forEach(([r, g, b], i) => data.set([r, g, b, 255], i * 4));
  return { data, width, height };
}
const gray = (rows: number[][]) => image(rows.map((row) => row.map((v) => [v, v, v])));
const channel = (rgb: Uint8Array, c: number) => Array.from(rgb.filter((_, i) => i % 3 === c));
const Q = 1 << 22; // Pillow's fixed-point one

describe('resize geometry (torchvision Resize + CenterCrop)', () => {
  it('resizes the shorter side and truncates the longer one', () => {
    expect(resizedSize(500, 375, 256)).toEqual({ width: 341, height: 256 }); // 341.33
    expect(resizedSize(375, 500, 256)).toEqual({ width: 256, height: 341 });
    expect(resizedSize(1600, 120, 256)).toEqual({ width: 3413, height: 256 });
    expect(resizedSize(300, 300, 256)).toEqual({ width: 256, height: 256 });
  });
  it('rounds the crop offset half to even, as Python round() does', () => {
    expect([0.5, 1.5, 2.5, 3, 58.5, 59.5].map(roundHalfEven)).toEqual([0, 2, 2, 3, 58, 60]);
    expect(cropOffset(256, 224)).toBe(16);
    expect(cropOffset(341, 224)).toBe(58); // 58.5 → 58
    expect(cropOffset(343, 224)).toBe(60); // 59.5 → 60
  });
});

describe('bilinear taps (Pillow precompute_coeffs, 22-bit fixed point)', () => {
  it('downscale by 2 widens the triangle to support 2: weights 3/7, 3/7, 1/7', () => {
    const t = resizeTaps('bilinear', 4, 2, 0, 2);
    expect(t.ksize).toBe(5);
    expect(Array.from(t.start)).toEqual([0, 1]);
    expect(Array.from(t.count)).toEqual([3, 3]);
    const w = (i: number) => Array.from(t.weights.slice(i * 5, i * 5 + 3));
    const a = Math.trunc(0.5 + (3 / 7) * Q);
    const b = Math.trunc(0.5 + (1 / 7) * Q);
    expect(w(0)).toEqual([a, a, b]);
    expect(w(1)).toEqual([b, a, a]);
  });
  it('upscale by 2 keeps support 1: edge pixels copy, inner ones mix 3:1', () => {
    const t = resizeTaps('bilinear', 2, 4, 0, 4);
    expect(Array.from(t.start)).toEqual([0, 0, 0, 1]);
    expect(Array.from(t.count)).toEqual([1, 2, 2, 1]);
    expect(Array.from(t.weights.slice(3, 5))).toEqual([0.75 * Q, 0.25 * Q]);
    expect(Array.from(t.weights.slice(6, 8))).toEqual([0.25 * Q, 0.75 * Q]);
  });
  it('is the identity at scale 1', () => {
    const t = resizeTaps('bilinear', 5, 5, 0, 5);
    expect(Array.from(t.start)).toEqual([0, 1, 2, 3, 4]);
    for (let i = 0; i < 5; i++) expect(t.weights[i * t.ksize]).toBe(Q);
  });
});

describe.each([['WebAssembly SIMD', true], ['JavaScript', false]] as const)('resizeAndCrop (%s passes)', (_, simd) => {
  beforeAll(() => useSimdResize(simd));
  afterAll(() => useSimdResize(true));
  it('downscales 4×2 → 2×1 and crops 1×1: horizontal, round to byte, then vertical', () => {
    // Row 0: 0 70 140 210 → 3/7·0 + 3/7·70 + 1/7·140 = 50 (rounded down from 50.5 − ε in fixed point).
    // Row 1: constant 100 → 100. Vertical 2 → 1: ½·50 + ½·100 = 75.
    const out = resizeAndCrop(gray([[0, 70, 140, 210], [100, 100, 100, 100]]), 1, 1);
    expect(Array.from(out)).toEqual([75, 75, 75]);
  });
  it('upscales 2×1 → 4×2 and crops the middle 2×2: 0,100 → 25,75 on both rows', () => {
    const out = resizeAndCrop(gray([[0, 100]]), 2, 2);
    expect(channel(out, 0)).toEqual([25, 75, 25, 75]);
  });
  it('keeps channels apart and ignores alpha', () => {
    const img = image([[[10, 20, 30], [50, 60, 70]]]);
    img.data[3] = 0; // a transparent pixel keeps its colour
    const out = resizeAndCrop(img, 2, 2); // 2×1 → 4×2, crop columns 1..2
    expect(channel(out, 0)).toEqual([20, 40, 20, 40]); // ¾·10 + ¼·50 = 20, ¼·10 + ¾·50 = 40
    expect(channel(out, 1)).toEqual([30, 50, 30, 50]);
    expect(channel(out, 2)).toEqual([40, 60, 40, 60]);
  });
  it('at scale 1 only crops (center, half to even)', () => {
    const rows = [0, 1, 2, 3].map((y) => [0, 1, 2, 3, 4].map((x) => 10 * y + x));
    const out = resizeAndCrop(gray(rows), 4, 2); // 5×4: width 5 → 5; crop 2×2 at left round(1.5)=2, top 1
    expect(channel(out, 0)).toEqual([12, 13, 22, 23]);
  });
  it('makes a 1×1 image a uniform crop', () => {
    expect(Array.from(resizeAndCrop(image([[[9, 99, 199]]]), 3, 3))).toEqual(Array(9).fill([9, 99, 199]).flat());
  });
  it('gives the same bytes from the window sourceRect() names as from the whole image', () => {
    const W = 97;
    const H = 61;
    const data = new Uint8ClampedArray(W * H * 4).map((_, i) => (i * 7919) % 251);
    const whole = { data, width: W, height: H };
    for (const [resizeTo, S] of [[32, 24], [40, 40], [200, 150]]) {
      const r = sourceRect(W, H, { resizeTo, inputSize: S });
      expect(r.x + r.width).toBeLessThanOrEqual(W);
      const win = new Uint8ClampedArray(r.width * r.height * 4);
      for (let y = 0; y < r.height; y++) {
        win.set(data.subarray(((r.y + y) * W + r.x) * 4, ((r.y + y) * W + r.x + r.width) * 4), y * r.width * 4);
      }
      const windowed = { data: win, width: r.width, height: r.height, window: { ...r, fullWidth: W, fullHeight: H } };
      expect(resizeAndCrop(windowed, resizeTo, S)).toEqual(resizeAndCrop(whole, resizeTo, S));
    }
    const r = sourceRect(W, H, { resizeTo: 32, inputSize: 24 });
    expect(r.width * r.height).toBeLessThan(W * H); // the crop reads less than the whole image
  });
  it('reads pixels that do not start on a 4-byte boundary (a view into a larger buffer) the same', () => {
    const W = 53;
    const H = 41;
    const data = new Uint8ClampedArray(W * H * 4).map((_, i) => (i * 7919) % 251);
    const shifted = new Uint8ClampedArray(data.length + 3);
    shifted.set(data, 1);
    const view = shifted.subarray(1, 1 + data.length);
    expect(view.byteOffset % 4).toBe(1);
    expect(resizeAndCrop({ data: view, width: W, height: H }, 40, 32)).toEqual(resizeAndCrop({ data, width: W, height: H }, 40, 32));
  });

  it('gives the same bytes from bands of rows (how large images are read), reading each band once', () => {
    const W = 83;
    const H = 131;
    const data = new Uint8ClampedArray(W * H * 4).map((_, i) => (i * 104729) % 253);
    const whole = { data, width: W, height: H };
    for (const rows of [1, 7, 64, 200]) {
      const reads: number[] = [];
      const banded: RgbaImage = {
        data: new Uint8Array(0),
        width: W,
        height: H,
        bands: {
          rows,
          read: (k) => {
            reads.push(k);
            return data.subarray(k * rows * W * 4, Math.min(H, (k + 1) * rows) * W * 4);
          },
        },
      };
      expect(resizeAndCrop(banded, 40, 32)).toEqual(resizeAndCrop(whole, 40, 32));
      expect(new Set(reads).size).toBe(reads.length);
      expect(reads).toEqual([...reads].sort((a, b) => a - b));
    }
  });
  it('rejects a window that does not cover what the crop reads', () => {
    const img = { data: new Uint8Array(4 * 4 * 4), width: 4, height: 4, window: { x: 0, y: 0, width: 4, height: 4, fullWidth: 8, fullHeight: 8 } };
    expect(() => resizeAndCrop(img, 8, 8)).toThrow(/does not cover/);
  });
  it('rejects an image without pixels', () => {
    expect(() => resizeAndCrop({ data: new Uint8Array(0), width: 0, height: 0 }, 4, 4)).toThrow(RangeError);
  });
});

describe('normalize and layout', () => {
  const mean = [0.485, 0.456, 0.406] as const;
  const std = [0.229, 0.224, 0.225] as const;
  it('computes (v/255 − mean)/std in float32 like torch', () => {
    const [r, g, b] = normalizationTables(mean, std);
    const f = Math.fround;
    expect(r[0]).toBe(f(f(0 - f(0.485)) / f(0.229)));
    expect(g[255]).toBe(f(f(f(255 / 255) - f(0.456)) / f(0.224)));
    expect(b[128]).toBeCloseTo((128 / 255 - 0.406) / 0.225, 6);
    expect(r[0]).toBeCloseTo(-2.117904, 5);
  });
  it('writes NCHW planes, at an offset for batches', () => {
    const img = image([[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [255, 255, 255]]]);
    const params = { inputSize: 2, resizeTo: 2, mean: [0, 0, 0] as const, std: [1, 1, 1] as const };
    const out = preprocess(img, params, new Float32Array(2 + 12), 2);
    expect(Array.from(out.slice(2))).toEqual([1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1]);
    expect(out[0]).toBe(0);
  });
  it('allocates its output when none is given', () => {
    const img = gray([[0, 255], [255, 0]]);
    const out = preprocess(img, { inputSize: 2, resizeTo: 2, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    expect(Array.from(out)).toEqual([-1, 1, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1]);
  });
});
