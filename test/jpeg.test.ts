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

describe('jpegEnding (the tail of a file)', () => {
  it('finds the end marker or the scan in the last bytes, and says when it needs more', () => {
    const whole = read('classic/trt5-mug-cc0.jpeg');
    expect(jpegEnding(whole.subarray(whole.length - 65536))).toBe('whole');
    const cut = read('edge/truncated.jpg');
    // Inside the entropy-coded data: neither marker in the last 4 KB of a cut file.
    expect(jpegEnding(cut.subarray(cut.length - 4096))).toBe('unknown');
    expect(jpegEnding(cut)).toBe('truncated');
  });
});
