/** Every ImageInput type gives the same pixels; every edge file classifies or fails clearly. */
import { expect, listImages, test } from './fixtures.ts';

const BAD = ['truncated.jpg', 'not-an-image.jpg', 'empty.png'];

test('every edge/ file: good ones classify, bad ones reject with INVALID_IMAGE', async ({ harness }) => {
  const files = listImages('edge');
  expect(files).toEqual(expect.arrayContaining(BAD));
  const results = await harness.evaluate(async (files) => {
    const c = await window.sdk.createClassifier({ model: 'mobilenetv2-int8', backend: 'wasm' });
    const out: Record<string, { ok: true; top: { label: string; score: number }[] } | { ok: false; code: string; message: string }> = {};
    for (const f of files) {
      try {
        out[f] = { ok: true, top: await c.classify(`/test-images/edge/${f}`) };
      } catch (e) {
        const err = e as { code?: string; message: string };
        out[f] = { ok: false, code: err.code ?? String(e), message: err.message };
      }
    }
    await c.dispose();
    return out;
  }, files);
  for (const f of files) {
    const r = results[f];
    console.log(`${f}: ${r.ok ? `${r.top[0].label} (${(r.top[0].score * 100).toFixed(1)} %)` : `${r.code}: ${r.message}`}`);
    if (BAD.includes(f)) {
      expect(r.ok, f).toBe(false);
      if (!r.ok) expect(r.code, f).toBe('INVALID_IMAGE');
    } else {
      expect(r.ok, `${f}: ${r.ok ? '' : r.message}`).toBe(true);
      if (r.ok) {
        expect(r.top).toHaveLength(5);
        expect(r.top[0].score).toBeGreaterThan(0);
      }
    }
  }
});

test('a phone photo with data after its end-of-image marker (an MP4-like box holding FF DA) classifies as the photo does, worker and page', async ({ harness }) => {
  const r = await harness.evaluate(async () => {
    const photo = new Uint8Array(await (await fetch('/test-images/classic/pytorch-hub-dog.jpg')).arrayBuffer());
    const box = new Uint8Array(20_000).fill(0x11);
    box.set([0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32]); // ....ftypmp42
    box.set([0xff, 0xda, 0x00, 0x0c], 10_000); // a start-of-scan marker, and no end-of-image after it
    const motion = new Blob([photo, box], { type: 'image/jpeg' });
    const out: Record<string, { plain: string; motion: string; same: boolean }> = {};
    for (const worker of [true, false]) {
      const c = await window.sdk.createClassifier({ model: 'mobilenetv2-int8', backend: 'wasm', worker });
      const [plain] = await c.classify(new Blob([photo], { type: 'image/jpeg' }));
      const [withBox] = await c.classify(motion);
      out[worker ? 'worker' : 'page'] = { plain: plain.label, motion: withBox.label, same: plain.score === withBox.score };
      await c.dispose();
    }
    return out;
  });
  expect(r).toEqual({
    worker: { plain: 'Samoyed', motion: 'Samoyed', same: true },
    page: { plain: 'Samoyed', motion: 'Samoyed', same: true },
  });
});

test('EXIF orientation is applied and transparent pixels keep their colour', async ({ harness }) => {
  const r = await harness.evaluate(async () => {
    const rotated = await window.sdk.toPixels('/test-images/edge/exif-rotated.jpg');
    const png = await window.sdk.toPixels('/test-images/edge/transparent.png');
    let transparent = 0;
    let coloured = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      if (png.data[i + 3] === 0) {
        transparent++;
        if (png.data[i] || png.data[i + 1] || png.data[i + 2]) coloured++;
      }
    }
    return { w: rotated.width, h: rotated.height, transparent, coloured, webgl2: !!new OffscreenCanvas(1, 1).getContext('webgl2') };
  });
  console.log(JSON.stringify(r));
  // Stored 375×500 with orientation 6 (rotate 90°): displayed 500×375.
  expect([r.w, r.h]).toEqual([500, 375]);
  if (r.webgl2 && r.transparent > 0) expect(r.coloured).toBeGreaterThan(0);
});

test('opaque images are read through VideoFrame.copyTo, with the canvas read-back\'s bytes; images with alpha or a rotation through the canvas', async ({ harness }) => {
  const r = await harness.evaluate(async () => {
    const files = ['classic/pytorch-hub-dog.jpg', 'edge/exif-rotated.jpg', 'edge/cmyk.jpg', 'edge/grayscale.jpg', 'edge/photo.webp',
      'edge/panorama-1600x120.jpg', 'edge/one-pixel.png', 'edge/transparent.png'];
    const out: Record<string, string> = {};
    for (const f of files) {
      const blob = await (await fetch(`/test-images/${f}`)).blob();
      const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
      const x = bitmap.width > 1 ? 1 : 0; // a window that does not start at the left edge, as the crop's
      const rect = { x, y: 0, width: bitmap.width - x, height: bitmap.height };
      const viaFrame = await window.sdk.framePixels(bitmap, rect);
      const viaCanvas = window.sdk.bitmapPixels(bitmap, rect);
      if (!viaFrame) out[f] = 'canvas';
      else {
        let diff = 0;
        viaFrame.data.forEach((v, i) => (diff += v !== viaCanvas.data[i] ? 1 : 0));
        out[f] = `frame, ${diff} bytes differ`;
      }
      bitmap.close();
    }
    return out;
  });
  console.log(JSON.stringify(r));
  for (const f of ['classic/pytorch-hub-dog.jpg', 'edge/cmyk.jpg', 'edge/grayscale.jpg', 'edge/photo.webp', 'edge/panorama-1600x120.jpg']) {
    expect(r[f], f).toBe('frame, 0 bytes differ');
  }
  // A frame keeps an EXIF rotation as metadata (its pixels unrotated): read through the canvas, or identical.
  expect(['canvas', 'frame, 0 bytes differ']).toContain(r['edge/exif-rotated.jpg']);
  expect(r['edge/transparent.png']).toBe('canvas');
});

test('every ImageInput type gives the same logits as the Blob', async ({ harness }) => {
  const r = await harness.evaluate(async () => {
    const url = '/test-images/classic/trt5-mug-cc0.jpeg';
    const c = await window.sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'wasm' });
    const blob = await (await fetch(url)).blob();
    const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
    const offscreen = new OffscreenCanvas(bitmap.width, bitmap.height);
    offscreen.getContext('2d')!.drawImage(bitmap, 0, 0);
    const imageData = offscreen.getContext('2d')!.getImageData(0, 0, bitmap.width, bitmap.height);
    const img = new Image();
    img.src = url; // not awaited: classify must wait for it
    const frame = new VideoFrame(bitmap, { timestamp: 0 });
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = canvas.captureStream();
    await video.play();
    await new Promise((res) => (video.readyState >= 2 ? res(null) : video.addEventListener('loadeddata', res, { once: true })));

    const inputs: Record<string, Parameters<typeof c.logits>[0]> = {
      url, blob, bitmap, canvas, offscreen, imageData, img, frame, video,
      dataUrl: canvas.toDataURL('image/png'),
    };
    const ref = await c.logits(blob);
    const diffs: Record<string, number> = {};
    for (const [name, input] of Object.entries(inputs)) {
      const l = await c.logits(input);
      diffs[name] = Math.max(...Array.from(l, (v, i) => Math.abs(v - ref[i])));
    }
    frame.close();
    let typeError = '';
    try {
      await c.classify(42 as never);
    } catch (e) {
      typeError = `${(e as Error).name}: ${(e as Error).message}`;
    }
    await c.dispose();
    return { diffs, typeError };
  });
  console.log(JSON.stringify(r.diffs));
  for (const [name, d] of Object.entries(r.diffs)) {
    // Decoded inputs are the same pixels; the <video> goes through a video encoder (YUV), so only close.
    expect(d, name).toBeLessThan(name === 'video' ? 1 : 1e-5);
  }
  expect(r.typeError).toMatch(/^TypeError: classify\(image\): unsupported image of type number/);
});
