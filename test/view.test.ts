/** The per-call view (region, rotation): the checks, the rectangle, the quarter turns. Pure. */
import { describe, expect, it } from 'vitest';
import { checkView, regionRect, rotatePixels, type Rotation } from '../src/preprocess/view.ts';

/** A w×h RGBA image whose pixel (x, y) is [x, y, 7, 255]. */
function image(w: number, h: number) {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x, y, 7, 255], (y * w + x) * 4);
  return { data, width: w, height: h };
}
const at = (img: { data: Uint8Array | Uint8ClampedArray; width: number }, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));

describe('checkView', () => {
  it('is null when there is nothing to do', () => {
    expect(checkView(undefined)).toBeNull();
    expect(checkView({})).toBeNull();
    expect(checkView({ rotation: 0 })).toBeNull();
  });
  it('rounds the region to whole pixels', () => {
    expect(checkView({ region: { x: 10.4, y: 0.6, width: 20.2, height: 5 }, rotation: 90 })).toEqual({ region: { x: 10, y: 1, width: 21, height: 5 }, rotation: 90 });
  });
  it('refuses bad regions and rotations, saying what is wrong', () => {
    expect(() => checkView({ rotation: 45 as Rotation })).toThrow(/rotation must be 0, 90, 180 or 270.*45/);
    expect(() => checkView({ region: 'all' as never })).toThrow(TypeError);
    expect(() => checkView({ region: { x: 0, y: 0, width: NaN, height: 3 } })).toThrow(/region.width must be a finite number/);
    expect(() => checkView({ region: { x: -2, y: 0, width: 4, height: 3 } })).toThrow(/x and y must be ≥ 0/);
    expect(() => checkView({ region: { x: 0, y: 0, width: 0, height: 3 } })).toThrow(/at least one pixel/);
  });
});

describe('regionRect', () => {
  const view = checkView({ region: { x: 600, y: 400, width: 40, height: 80 } })!;
  it('is the region when it lies inside the image', () => {
    expect(regionRect(view, 640, 480)).toEqual({ x: 600, y: 400, width: 40, height: 80 });
  });
  it('names the image size when the region reaches outside', () => {
    expect(() => regionRect(view, 639, 480)).toThrow(/reaches outside the 639×480 image/);
  });
  it('is the whole image for a rotation alone', () => {
    expect(regionRect(checkView({ rotation: 180 })!, 30, 20)).toEqual({ x: 0, y: 0, width: 30, height: 20 });
  });
});

describe('rotatePixels', () => {
  const img = image(3, 2);
  it('90° clockwise: the left column becomes the top row, read bottom up', () => {
    const r = rotatePixels(img, 90);
    expect([r.width, r.height]).toEqual([2, 3]);
    expect(at(r, 0, 0)).toEqual(at(img, 0, 1)); // top left ← bottom left
    expect(at(r, 1, 0)).toEqual(at(img, 0, 0)); // top right ← top left
    expect(at(r, 1, 2)).toEqual(at(img, 2, 0)); // bottom right ← top right
  });
  it('180° and 270°, and four quarter turns give the image back', () => {
    const half = rotatePixels(img, 180);
    expect([half.width, half.height]).toEqual([3, 2]);
    expect(at(half, 0, 0)).toEqual(at(img, 2, 1));
    const back = rotatePixels(img, 270);
    expect([back.width, back.height]).toEqual([2, 3]);
    expect(at(back, 0, 0)).toEqual(at(img, 2, 0)); // top left ← top right
    let r = img as ReturnType<typeof rotatePixels>;
    for (let i = 0; i < 4; i++) r = rotatePixels({ data: r.data, width: r.width, height: r.height }, 90);
    expect(Array.from(r.data)).toEqual(Array.from(img.data));
    expect(Array.from(rotatePixels(rotatePixels(img, 90), 270).data)).toEqual(Array.from(img.data));
  });
  it('0° leaves the pixels as they are', () => {
    expect(rotatePixels(img, 0).data).toBe(img.data);
  });
});
