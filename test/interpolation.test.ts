/**
 * Each interpolation against Pillow itself: synthetic images (noise and gradients, from the
 * generator test/data/pillow/make-references.py uses) resized by Pillow 9.4 + centre-cropped as
 * torchvision does; the port must give the same bytes. The photos are compared in the browser
 * (e2e/interpolation.spec.ts), where they are decoded.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { RgbaImage } from '../src/input/pixels.ts';
import { preprocess, resizeAndCrop } from '../src/preprocess/cpu.ts';
import { INTERPOLATIONS, resizeTaps, sourceRect, type Interpolation } from '../src/preprocess/geometry.ts';
import { simdResizeAvailable, useSimdResize } from '../src/preprocess/simd.ts';

interface Case {
  kind: 'noise' | 'gradient';
  width: number;
  height: number;
  resizeTo: number;
  crop: number;
  seed: number;
  out: Record<Interpolation, string>;
}
const fixtures = JSON.parse(readFileSync(new URL('./data/pillow/resize-fixtures.json', import.meta.url), 'utf8')) as { pillow: string; cases: Case[] };

/** The script's generator: xorshift32 per channel value. */
function synthetic({ kind, width: w, height: h, seed }: Case): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  let s = seed >>> 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        s = (s ^ (s << 13)) >>> 0;
        s = (s ^ (s >>> 17)) >>> 0;
        s = (s ^ (s << 5)) >>> 0;
        data[(y * w + x) * 4 + c] =
          kind === 'noise'
            ? s & 255
            : (Math.floor((x * 255) / Math.max(1, w - 1)) + Math.floor((y * 97) / Math.max(1, h - 1)) * (c + 1) + (s & 15)) & 255;
      }
      data[(y * w + x) * 4 + 3] = 255;
    }
  }
  return { data, width: w, height: h };
}

describe(`resize + centre crop = Pillow ${fixtures.pillow}, byte for byte`, () => {
  afterAll(() => useSimdResize(true));
  it('runs the WebAssembly SIMD passes here (Node has WebAssembly SIMD), and the JavaScript ones when they are off', () => {
    expect(simdResizeAvailable()).toBe(true);
    useSimdResize(false);
    expect(simdResizeAvailable()).toBe(false);
    useSimdResize(true);
  });
  for (const [path, simd] of [['WebAssembly SIMD', true], ['JavaScript', false]] as const)
  for (const interpolation of INTERPOLATIONS) {
    it(`${path}, ${interpolation}: ${fixtures.cases.length} cases (down- and upscales, one axis at scale 1)`, () => {
      useSimdResize(simd);
      for (const c of fixtures.cases) {
        const img = synthetic(c);
        const ours = resizeAndCrop(img, c.resizeTo, c.crop, interpolation);
        const pillow = Buffer.from(c.out[interpolation], 'base64');
        let diff = 0;
        ours.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - pillow[i]))));
        expect(diff, `${c.kind} ${c.width}×${c.height} → ${c.resizeTo}, crop ${c.crop}`).toBe(0);
        expect(ours.length).toBe(pillow.length);
        // The part of the image the crop reads (what classify decodes) gives the same bytes.
        const r = sourceRect(c.width, c.height, { resizeTo: c.resizeTo, inputSize: c.crop, interpolation });
        const window = new Uint8Array(r.width * r.height * 4);
        for (let y = 0; y < r.height; y++) {
          window.set(img.data.subarray(((r.y + y) * c.width + r.x) * 4, ((r.y + y) * c.width + r.x + r.width) * 4), y * r.width * 4);
        }
        const windowed = { data: window, width: r.width, height: r.height, window: { ...r, fullWidth: c.width, fullHeight: c.height } };
        expect(resizeAndCrop(windowed, c.resizeTo, c.crop, interpolation)).toEqual(ours);
      }
    });
  }

  it('the filters differ: no two give the same bytes on the noise cases', () => {
    for (const c of fixtures.cases.filter((x) => x.kind === 'noise')) {
      const outs = new Set(INTERPOLATIONS.map((i) => c.out[i]));
      expect(outs.size).toBe(INTERPOLATIONS.length);
    }
  });

  it('bicubic and Lanczos taps have negative lobes, sum to one (22-bit), and widen with the downscale', () => {
    const one = 1 << 22;
    for (const [interp, support] of [['bicubic', 2], ['lanczos', 3]] as const) {
      const t = resizeTaps(interp, 100, 25, 0, 25); // downscale by 4
      expect(t.ksize).toBe(Math.ceil(support * 4) * 2 + 1);
      const w = Array.from(t.weights.slice(10 * t.ksize, 10 * t.ksize + t.count[10]));
      expect(Math.min(...w)).toBeLessThan(0);
      expect(Math.abs(w.reduce((a, b) => a + b, 0) - one)).toBeLessThanOrEqual(t.count[10]);
    }
    const n = resizeTaps('nearest', 10, 4, 0, 4); // 2.5 apart, from 1.25
    expect(Array.from(n.start)).toEqual([1, 3, 6, 8]);
    expect(() => resizeTaps('cubic' as Interpolation, 10, 4, 0, 4)).toThrow(/unknown interpolation "cubic"/);
  });
});

describe('layout, channel order and pixel scale', () => {
  const img: RgbaImage = { data: new Uint8Array([10, 20, 30, 255, 40, 50, 60, 255, 70, 80, 90, 255, 100, 110, 120, 255]), width: 2, height: 2 };
  const base = { inputSize: 2, resizeTo: 2, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };

  it('NCHW RGB / 255 by default; NHWC interleaves; BGR flips; pixelScale 1 keeps 0–255', () => {
    const nchw = preprocess(img, { ...base, pixelScale: 1 });
    expect(Array.from(nchw)).toEqual([10, 40, 70, 100, 20, 50, 80, 110, 30, 60, 90, 120]);
    const nhwc = preprocess(img, { ...base, pixelScale: 1, layout: 'NHWC' });
    expect(Array.from(nhwc)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]);
    const bgr = preprocess(img, { ...base, pixelScale: 1, layout: 'NHWC', channelOrder: 'BGR' });
    expect(Array.from(bgr)).toEqual([30, 20, 10, 60, 50, 40, 90, 80, 70, 120, 110, 100]);
    const bgrPlanes = preprocess(img, { ...base, pixelScale: 1, channelOrder: 'BGR' });
    expect(Array.from(bgrPlanes)).toEqual([30, 60, 90, 120, 20, 50, 80, 110, 10, 40, 70, 100]);
    expect(preprocess(img, base)[0]).toBe(Math.fround(10 / 255));
  });

  it("Keras 'caffe': BGR, 0–255, the mean in the model's channel order (B, G, R)", () => {
    const caffe = { ...base, pixelScale: 1, channelOrder: 'BGR' as const, layout: 'NHWC' as const, mean: [103.939, 116.779, 123.68] as [number, number, number] };
    const t = preprocess(img, caffe);
    expect(t[0]).toBe(Math.fround(30 - Math.fround(103.939))); // B of the first pixel
    expect(t[2]).toBe(Math.fround(10 - Math.fround(123.68))); // R
  });
});
