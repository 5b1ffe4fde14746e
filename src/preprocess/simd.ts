/**
 * The resize passes in WebAssembly SIMD (resize.wat, inlined by resize-wasm.ts): the same integer
 * arithmetic as cpu.ts's JavaScript passes, so the same bytes, several times faster. Used where
 * the browser validates WebAssembly SIMD (and its Content-Security-Policy lets WebAssembly
 * compile); elsewhere cpu.ts keeps its JavaScript passes.
 */
import type { RgbaImage } from '../input/pixels.ts';
import { PRECISION_BITS, type ResizePlan, type Taps } from './geometry.ts';
import { RESIZE_WASM } from './resize-wasm.ts';

interface Kernels {
  memory: WebAssembly.Memory;
  hpass(px: number, base: number, w: number, S: number, start: number, count: number, weights: number, ksize: number, tmp: number, n: number): void;
  vpass(tmp: number, start: number, count: number, weights: number, ksize: number, rowFirst: number, S: number, out: number): void;
}

let kernels: Kernels | null | undefined; // undefined: not tried yet
let enabled = true;

/** Turns the WebAssembly passes off (or on again): for tests and the benchmark, which compare both. */
export function useSimdResize(on: boolean): void {
  enabled = on;
}

/** The compiled kernels, or `null` where WebAssembly SIMD cannot run. Compiled once, synchronously (the module is tiny). */
function load(): Kernels | null {
  if (kernels !== undefined) return kernels;
  kernels = null;
  try {
    // The kernels shift by 22 bits and round with 1 << 21: the precision geometry.ts's taps use.
    if (typeof WebAssembly === 'undefined' || PRECISION_BITS !== 22) return null;
    const bytes = Uint8Array.from(atob(RESIZE_WASM), (c) => c.charCodeAt(0));
    kernels = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Kernels;
  } catch {
    kernels = null; // no SIMD, or a CSP without 'wasm-unsafe-eval'
  }
  return kernels;
}

/** Whether {@link resizeAndCropSimd} runs here. */
export function simdResizeAvailable(): boolean {
  return enabled && load() !== null;
}

const SLACK = 16; // bytes the kernels may write or read past a buffer's end (see resize.wat)

/**
 * cpu.ts's `resizeAndCrop` on the kernels: the same plan and band loop, the taps, the source pixels
 * and both passes' rows in the module's memory. Returns `false` (nothing done) where they cannot run.
 */
export function resizeAndCropSimd(img: RgbaImage, frame: { x: number; y: number }, plan: ResizePlan, S: number, out: Uint8Array): boolean {
  const k = enabled ? load() : null;
  if (!k) return false;
  const { width: w, height: h0 } = img;
  const { h, v, rowFirst, rows } = plan;
  const stride = S * 3;
  const bandRows = img.bands?.rows ?? h0;
  const pxBytes = Math.min(bandRows, h0) * w * 4;
  // Layout: taps (h, then v), source pixels, the horizontal pass's rows, the output.
  let at = 0;
  const place = (n: number) => {
    const p = at;
    at = (at + n + 15) & ~15; // 16-byte aligned
    return p;
  };
  const hT = placeTaps(h, place);
  const vT = placeTaps(v, place);
  const px = place(pxBytes);
  const tmp = place(rows * stride + SLACK);
  const dst = place(S * stride + SLACK);
  const pages = Math.ceil(at / 65536) - k.memory.buffer.byteLength / 65536;
  if (pages > 0) k.memory.grow(pages);
  const mem = k.memory.buffer;
  writeTaps(mem, hT, h);
  writeTaps(mem, vT, v);
  const bytes = new Uint8Array(mem);
  let loaded = -1;
  for (let y = 0; y < rows; ) {
    const row = y + rowFirst - frame.y;
    const band = Math.floor(row / bandRows);
    const n = Math.min(rows - y, (band + 1) * bandRows - row);
    if (band !== loaded) {
      const data = img.bands ? img.bands.read(band) : img.data;
      bytes.set(data.subarray(0, Math.min(data.length, pxBytes)), px);
      loaded = band;
    }
    k.hpass(px, (row - band * bandRows) * w - frame.x, w, S, hT.start, hT.count, hT.weights, h.ksize, tmp + y * stride, n);
    y += n;
  }
  k.vpass(tmp, vT.start, vT.count, vT.weights, v.ksize, rowFirst, S, dst);
  out.set(bytes.subarray(dst, dst + S * stride));
  return true;
}

interface TapsAt {
  start: number;
  count: number;
  weights: number;
}

function placeTaps(t: Taps, place: (n: number) => number): TapsAt {
  return { start: place(t.start.byteLength), count: place(t.count.byteLength), weights: place(t.weights.byteLength) };
}

function writeTaps(mem: ArrayBuffer, at: TapsAt, t: Taps): void {
  new Int32Array(mem, at.start, t.start.length).set(t.start);
  new Int32Array(mem, at.count, t.count.length).set(t.count);
  new Int32Array(mem, at.weights, t.weights.length).set(t.weights);
}
