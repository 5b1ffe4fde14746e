import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jpegEnding, jpegIsWhole } from '../src/input/jpeg.ts';

const images = path.resolve(import.meta.dirname, 'data/images');
const read = (rel: string) => new Uint8Array(readFileSync(path.join(images, rel)));

describe('jpegIsWhole', () => {
  it('accepts every test JPEG, and one with bytes after its end-of-image marker', () => {
    const files = [
      ...readdirSync(path.join(images, 'imagenet')).map((f) => `imagenet/${f}`),
      ...readdirSync(path.join(images, 'classic')).map((f) => `classic/${f}`),
      'edge/grayscale.jpg', 'edge/cmyk.jpg', 'edge/exif-rotated.jpg', 'edge/panorama-1600x120.jpg', 'cifar10/cat/0000.jpg',
    ];
    expect(files.length).toBeGreaterThan(100);
    for (const f of files) expect(jpegIsWhole(read(f)), f).toBe(true);
    const photo = read('classic/pytorch-hub-dog.jpg');
    const trailer = new Uint8Array(photo.length + 64).fill(0x42);
    trailer.set(photo);
    expect(jpegIsWhole(trailer)).toBe(true);
  });

  it('refuses a JPEG cut short, wherever it was cut after its scan began', () => {
    expect(jpegIsWhole(read('edge/truncated.jpg'))).toBe(false);
    // The EXIF-rotated photo carries markers before its scan; cut it at 90 %, 50 % and just before the end.
    for (const f of ['edge/exif-rotated.jpg', 'classic/trt5-mug-cc0.jpeg']) {
      const whole = read(f);
      for (const cut of [Math.floor(whole.length * 0.9), Math.floor(whole.length * 0.5), whole.length - 2]) {
        expect(jpegIsWhole(whole.subarray(0, cut)), `${f} cut at ${cut}`).toBe(false);
      }
    }
  });

  it('leaves other files to the decoder', () => {
    expect(jpegIsWhole(read('edge/one-pixel.png'))).toBe(true);
    expect(jpegIsWhole(read('edge/not-an-image.jpg'))).toBe(true);
    expect(jpegIsWhole(new Uint8Array(0))).toBe(true);
  });
});

describe('jpegEnding: data after the end-of-image marker (phone photos)', () => {
  /** An MP4-like box after the image: a motion photo's video, with FF DA and no FF D9 in it. */
  const mp4Box = (bytes: number, seed: number) => {
    const box = new Uint8Array(bytes);
    let x = seed;
    for (let i = 0; i < bytes; i++) box[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    box.set([0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32]); // ....ftypmp42
    for (let i = 0; i + 1 < bytes; i++) if (box[i] === 0xff && box[i + 1] === 0xd9) box[i + 1] = 0xd8;
    box.set([0xff, 0xda], bytes >> 1);
    return box;
  };
  const append = (a: Uint8Array, b: Uint8Array) => {
    const out = new Uint8Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };

  it('a whole photo with 20 KB appended that hold FF DA and no FF D9 is whole (20 of 20 photos)', () => {
    const files = readdirSync(path.join(images, 'imagenet')).slice(0, 20);
    expect(files).toHaveLength(20);
    files.forEach((f, k) => expect(jpegEnding(append(read(`imagenet/${f}`), mp4Box(20_000, k + 1))), f).toBe('whole'));
  });

  it('the same photos cut inside their scan, then given the appended data, are still truncated', () => {
    // What was appended comes after where the image's bytes stop: no end-of-image marker was reached.
    const whole = read('classic/trt5-mug-cc0.jpeg');
    expect(jpegEnding(whole.subarray(0, Math.floor(whole.length * 0.7)))).toBe('truncated');
  });

  it('walks progressive JPEGs with restart markers (10 scans), and stops at its marker, not at the last FF DA', () => {
    const p = read('edge/progressive-restart.jpg');
    expect(jpegEnding(p)).toBe('whole');
    for (let cut = 3; cut < p.length - 1; cut += 97) expect(jpegEnding(p.subarray(0, cut)), `cut at ${cut}`).toBe('truncated');
    expect(jpegEnding(p.subarray(0, p.length - 1))).toBe('truncated');
  });

  it('leaves what is not shaped like a JPEG to the decoder', () => {
    expect(jpegEnding(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0x12, 0x34]))).toBe('unknown');
    expect(jpegEnding(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01]))).toBe('unknown'); // a length below 2
    expect(jpegEnding(read('edge/one-pixel.png'))).toBe('unknown');
  });
});
