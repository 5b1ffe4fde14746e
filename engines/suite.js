/**
 * The cross-engine suite, run inside the browser under test (Chromium, Firefox, WebKit): every
 * ImageInput kind, the bad inputs, tagPhotos, on the standalone ES module (dist/resnet-web.js)
 * with MobileNetV2-int8 on WASM (and what backend 'auto' picks). Query: ?worker=0 runs on the page's thread.
 * window.suite resolves to plain data the Node side compares between engines.
 */
import * as sdk from '/dist/resnet-web.js';

const q = new URLSearchParams(location.search);
const worker = q.get('worker') !== '0';
const PHOTO = '/test-images/classic/pytorch-hub-dog.jpg';
const PHOTO2 = '/test-images/classic/trt5-binoculars.jpeg';

const loadImage = (src) =>
  new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`could not load ${src}`));
    img.src = src;
  });

/** Mean absolute difference per channel between `a` and `b` drawn at 16×16 (how alike two pictures are). */
function pictureDistance(a, b) {
  const sample = (src) => {
    const c = document.createElement('canvas');
    c.width = c.height = 16;
    const ctx = c.getContext('2d');
    ctx.drawImage(src, 0, 0, 16, 16);
    return ctx.getImageData(0, 0, 16, 16).data;
  };
  const p = sample(a);
  const q = sample(b);
  let sum = 0;
  for (let i = 0; i < p.length; i += 4) sum += Math.abs(p[i] - q[i]) + Math.abs(p[i + 1] - q[i + 1]) + Math.abs(p[i + 2] - q[i + 2]);
  return sum / ((p.length / 4) * 3);
}

/**
 * A video element playing a canvas that shows the photo (muted, so it may autoplay). A canvas
 * stream only carries a frame when the canvas is drawn, so it is drawn until the video has one,
 * and until the video shows the photo: WebKitGTK can report a frame (readyState 2, a size) while
 * its picture is still black. Measured in Chromium 156 on PHOTO: its video frame differs from the
 * canvas by 14.7 a channel (video colour conversion), a black frame by 99.3; 30 tells them apart.
 */
async function playingVideo(canvas, img) {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = canvas.captureStream();
  const playing = video.play();
  const ctx = canvas.getContext('2d');
  const t0 = performance.now();
  while (video.readyState < 2 || !video.videoWidth || pictureDistance(video, canvas) > 30) {
    if (performance.now() - t0 > 10_000) throw new Error('the canvas stream gave the video no frame of the photo in 10 s');
    ctx.drawImage(img, 0, 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await playing;
  return video;
}

const top1 = (predictions) => ({ label: predictions[0].label, index: predictions[0].index, score: predictions[0].score });
const failure = (e) => ({ error: e?.code ?? e?.name ?? 'Error', message: String(e?.message ?? e) });

async function run() {
  // The SDK's console warnings on this page (worker off: the classifier's own are the page's).
  const warnings = [];
  const warn = console.warn;
  console.warn = (...args) => {
    warnings.push(args.map(String).join(' '));
    warn.apply(console, args);
  };
  const result = {
    userAgent: navigator.userAgent,
    cores: navigator.hardwareConcurrency,
    warnings,
    isolated: globalThis.crossOriginIsolated === true,
    features: {
      webgpu: 'gpu' in navigator,
      videoFrame: typeof VideoFrame === 'function',
      offscreenCanvas: typeof OffscreenCanvas === 'function',
      captureStream: typeof HTMLCanvasElement.prototype.captureStream === 'function',
      requestVideoFrameCallback: 'requestVideoFrameCallback' in HTMLVideoElement.prototype,
      cacheStorage: typeof caches === 'object',
      // WebKitGTK: cross-origin isolated, shared WebAssembly memory, but no SharedArrayBuffer
      // global, so onnxruntime-web runs one thread.
      sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
      workerCacheStorage: await new Promise((resolve) => {
        const w = new Worker(URL.createObjectURL(new Blob(['postMessage(typeof caches === "object")'], { type: 'text/javascript' })));
        w.onmessage = (e) => { resolve(e.data); w.terminate(); };
        w.onerror = () => { resolve(null); w.terminate(); };
      }),
    },
    inputs: {},
    bad: {},
  };
  // backend 'auto': WebGPU where there is an adapter, else WASM and the reason.
  const step = (name) => (window.suiteStep = name); // where a suite that never finishes stopped (engines.spec.ts)
  step("createClassifier (backend 'auto')");
  const auto = await sdk.createClassifier({ model: 'mobilenetv2-int8', modelBaseUrl: '/models/', worker });
  result.auto = { backend: auto.backend, fallbackReason: auto.fallbackReason, top1: top1(await auto.classify(PHOTO)) };
  await auto.dispose();
  // The rest on WASM in every engine, so that scores compare.
  step("createClassifier (backend 'wasm')");
  const classifier = await sdk.createClassifier({ model: 'mobilenetv2-int8', modelBaseUrl: '/models/', worker, backend: 'wasm' });
  result.backend = classifier.backend;
  result.fallbackReason = classifier.fallbackReason;
  result.threads = classifier.threads;
  result.threadsReason = classifier.threadsReason;

  const img = await loadImage(PHOTO);
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  canvas.getContext('2d').drawImage(img, 0, 0);
  const blob = await (await fetch(PHOTO)).blob();
  const inputs = {
    url: async () => PHOTO,
    img: async () => img,
    canvas: async () => canvas,
    offscreenCanvas: async () => {
      const bitmap = await createImageBitmap(blob);
      const off = new OffscreenCanvas(bitmap.width, bitmap.height);
      off.getContext('2d').drawImage(bitmap, 0, 0);
      return off;
    },
    imageBitmap: async () => createImageBitmap(blob),
    imageData: async () => canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height),
    blob: async () => blob,
    videoFrame: async () => new VideoFrame(await createImageBitmap(blob), { timestamp: 0 }),
    video: async () => playingVideo(canvas, img),
    // An SVG with its own size, as an image file would be served.
    svg: async () =>
      new Blob([`<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"><rect width="300" height="200" fill="#3a7"/>` +
        `<circle cx="150" cy="100" r="70" fill="#fc3"/></svg>`], { type: 'image/svg+xml' }),
  };
  for (const [name, make] of Object.entries(inputs)) {
    console.log(`suite: ${name}`);
    step(`input ${name}`);
    try {
      const input = await make();
      result.inputs[name] = top1(await classifier.classify(input));
      if (typeof VideoFrame === 'function' && input instanceof VideoFrame) input.close();
      if (input instanceof HTMLVideoElement) input.srcObject.getTracks().forEach((t) => t.stop());
    } catch (e) {
      result.inputs[name] = failure(e);
    }
  }

  const bad = {
    truncated: async () => '/test-images/edge/truncated.jpg',
    notAnImage: async () => '/test-images/edge/not-an-image.jpg',
    emptyFile: async () => '/test-images/edge/empty.png',
    missingUrl: async () => '/test-images/no-such-photo.jpg',
    zeroSizeCanvas: async () => Object.assign(document.createElement('canvas'), { width: 0, height: 0 }),
    notAnImageObject: async () => ({ width: 10, height: 10 }),
  };
  for (const [name, make] of Object.entries(bad)) {
    step(`bad input ${name}`);
    try {
      result.bad[name] = { ok: top1(await classifier.classify(await make())) };
    } catch (e) {
      result.bad[name] = failure(e);
    }
  }

  // Many photos at once, one of them bad: results in order, the bad one reported.
  step('tagPhotos');
  const files = await Promise.all([PHOTO, '/test-images/edge/not-an-image.jpg', PHOTO2].map(async (u) => (await fetch(u)).blob()));
  const tagged = await sdk.tagPhotos(classifier, files, { topK: 1 });
  result.tagPhotos = tagged.map((t) => (t.error ? { error: t.error.code } : { label: t.predictions[0].label, score: t.predictions[0].score }));

  step('dispose');
  await classifier.dispose();
  try {
    await classifier.classify(PHOTO);
    result.bad.afterDispose = { ok: 'classified after dispose' };
  } catch (e) {
    result.bad.afterDispose = failure(e);
  }
  step('wrong model file');
  try {
    const wrong = await sdk.createClassifier({ model: { ...sdk.MODELS['mobilenetv2-int8'], url: 'imagenet-labels.json', sha256: undefined }, modelBaseUrl: '/models/', worker });
    await wrong.dispose();
    result.bad.wrongModelFile = { ok: 'created' };
  } catch (e) {
    result.bad.wrongModelFile = failure(e);
  }
  return result;
}

window.suite = run().catch((e) => ({ fatal: failure(e) }));
