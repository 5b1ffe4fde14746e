/**
 * The WebAssembly SIMD resize passes (src/preprocess/resize.wat): the committed module is what
 * the .wat compiles to, and on random images, sizes and filters it gives the JavaScript passes'
 * bytes exactly (the Pillow comparisons in interpolation.test.ts and preprocess.test.ts run on both).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { compileResizeWat, MODULE_FILE, resizeWasmModule } from '../scripts/build-wasm.ts';
import type { RgbaImage } from '../src/input/pixels.ts';
import { resizeAndCrop } from '../src/preprocess/cpu.ts';
import { INTERPOLATIONS } from '../src/preprocess/geometry.ts';
import { useSimdResize } from '../src/preprocess/simd.ts';

afterEach(() => useSimdResize(true));

describe('the WebAssembly resize passes', () => {
  it('are what scripts/build-wasm.ts makes from resize.wat (committed module up to date)', async () => {
    expect(readFileSync(MODULE_FILE, 'utf8')).toBe(resizeWasmModule(await compileResizeWat()));
  });

  it('give the JavaScript passes\' bytes on 300 random images (sizes 1–300 px, every filter, up- and downscales, bands, extreme values)', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let t = 0; t < 300; t++) {
      const width = 1 + rand(300);
      const height = 1 + rand(300);
      const data = new Uint8ClampedArray(width * height * 4);
      const kind = rand(3); // noise, black/white only (clamping), smooth
      for (let i = 0; i < data.length; i++) data[i] = kind === 0 ? rand(256) : kind === 1 ? (rand(2) ? 255 : 0) : (i >> 4) & 255;
      const S = 1 + rand(64);
      const resizeTo = S + rand(80);
      const interpolation = INTERPOLATIONS[rand(INTERPOLATIONS.length)];
      const rows = 1 + rand(40);
      const banded = { rows, read: (k: number) => data.subarray(k * rows * width * 4, Math.min(height, (k + 1) * rows) * width * 4) };
      const img: RgbaImage = rand(4) === 0 ? { data: new Uint8Array(0), width, height, bands: banded } : { data, width, height };
      useSimdResize(false);
      const js = resizeAndCrop(img, resizeTo, S, interpolation, new Uint8Array(S * S * 3));
      useSimdResize(true);
      const simd = resizeAndCrop(img, resizeTo, S, interpolation, new Uint8Array(S * S * 3));
      expect(Buffer.from(simd).equals(Buffer.from(js)), `case ${t}: ${width}×${height} → ${resizeTo}, crop ${S}, ${interpolation}`).toBe(true);
    }
  });
});
