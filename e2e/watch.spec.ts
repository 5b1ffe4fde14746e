/**
 * classifier.watch on live video: a canvas.captureStream() showing shared photos in turn, and
 * Chromium's fake camera. WASM unless said; the worker (default) and the page's thread.
 */
import { expect, test } from './fixtures.ts';

/** Confident photos for MobileNetV2-int8 (the classic ones, minus the tabby/tiger cat). */
const PHOTOS = ['pytorch-hub-dog.jpg', 'trt5-binoculars.jpeg', 'trt5-reflex_camera.jpeg', 'trt5-mug-cc0.jpeg'].map((f) => `/test-images/classic/${f}`);

for (const worker of [true, false]) {
  test(`the labels of each photo's frames equal classify() of that photo (${worker ? 'worker' : "page's thread"})`, async ({ harness }) => {
    const r = await harness.evaluate(
      async ({ urls, worker }) => {
        const c = await window.sdk.createClassifier({ model: 'mobilenetv2-int8', backend: 'wasm', worker, topK: 1 });
        const expected = [];
        for (const u of urls) expected.push((await c.classify(u))[0].label);
        const v = await window.sdk.photoVideo(urls, { msPerPhoto: 1500 });
        const results: { label: string; frameTime: number; latency: number; fps: number; dropped: number; frames: number; at: number }[] = [];
        const w = c.watch(v.video, (x) => results.push({ ...x, label: x.predictions[0].label, at: performance.now() }));
        await new Promise((r) => setTimeout(r, 4 * 1500 + 500));
        w.stop();
        const end = await w.done;
        v.stop();
        await c.dispose();
        // A frame presented at T shows what the canvas had up to ~150 ms before: attribute only
        // frames whose whole window is inside one photo's time.
        const attributed = results
          .map((x) => ({ ...x, photo: v.photoAt(x.frameTime - 150) === v.photoAt(x.frameTime) ? v.photoAt(x.frameTime) : -1 }))
          .filter((x) => x.photo >= 0);
        return { expected, results, attributed, end };
      },
      { urls: PHOTOS, worker },
    );
    const last = r.results.at(-1)!;
    console.log(`${worker ? 'worker' : 'page'}: ${r.results.length} results, ${last.fps.toFixed(1)} fps, ${last.dropped} dropped, latency median ${median(r.results.map((x) => x.latency)).toFixed(0)} ms`);
    expect(r.end).toBe('stopped');
    expect(r.expected).toEqual(['Samoyed', 'binoculars', 'reflex camera', 'coffee mug']);
    for (let p = 0; p < PHOTOS.length; p++) expect(r.attributed.filter((x) => x.photo === p).length, `frames of photo ${p}`).toBeGreaterThan(2);
    const wrong = r.attributed.filter((x) => x.label !== r.expected[x.photo]);
    expect(wrong, JSON.stringify(wrong.slice(0, 3))).toEqual([]);
    expect(last.frames).toBe(r.results.length);
  });
}

test('a model slower than the frame rate: frames are dropped, none queued, results within one run of their frame', async ({ harness }) => {
  const r = await harness.evaluate(async (urls) => {
    const c = await window.sdk.createClassifier({ model: 'resnet50-untrained', backend: 'wasm', topK: 1 });
    const v = await window.sdk.photoVideo(urls.slice(0, 1));
    const results: { latency: number; dropped: number; at: number; frameTime: number }[] = [];
    const w = c.watch(v.video, (x) => results.push({ latency: x.latency, dropped: x.dropped, frameTime: x.frameTime, at: performance.now() }));
    await new Promise((r) => setTimeout(r, 6000));
    w.stop();
    v.stop();
    const run = c.lastTimings!.total;
    await c.dispose();
    return { results, run };
  }, PHOTOS);
  const { results } = r;
  const intervals = results.slice(1).map((x, i) => x.at - results[i].at);
  const latency = results.map((x) => x.latency);
  console.log(
    `ResNet-50: ${results.length} results in 6 s, ${results.at(-1)!.dropped} frames dropped; run ${r.run.toFixed(0)} ms, ` +
      `interval median ${median(intervals).toFixed(0)} ms, latency median ${median(latency).toFixed(0)} / max ${Math.max(...latency).toFixed(0)} ms`,
  );
  expect(results.length).toBeGreaterThan(5);
  // At 30 frames per second and ~5 runs per second, most frames are dropped, and the count grows.
  expect(results.at(-1)!.dropped).toBeGreaterThan(results.length);
  for (let i = 1; i < results.length; i++) expect(results[i].dropped).toBeGreaterThanOrEqual(results[i - 1].dropped);
  // No backlog: a result's frame was presented after the previous result (give or take the one
  // frame whose callback was pending), so each result comes within its own run of its frame; a
  // queue would hand out older and older frames, and the latency would grow run after run.
  for (let i = 1; i < results.length; i++) expect(results[i].latency).toBeLessThan(results[i].at - results[i - 1].at + 50);
  expect(median(latency.slice(-5))).toBeLessThan(median(latency.slice(1, 6)) * 1.5);
});

test('stop(), abort and dispose() end a watch with no further callback; pause costs nothing; the end of the video ends it', async ({ harness }) => {
  const r = await harness.evaluate(async (urls) => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const c = await window.sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm' });
    const v = await window.sdk.photoVideo(urls);
    /** Starts a watch, lets it deliver a few results, ends it with `end`, and counts callbacks after. */
    const endWith = async (end: (w: ReturnType<typeof c.watch>, ctl: AbortController) => unknown) => {
      const ctl = new AbortController();
      let n = 0;
      const w = c.watch(v.video, () => n++, { signal: ctl.signal });
      while (n < 3) await sleep(20);
      await end(w, ctl);
      const atEnd = n;
      const why = await w.done;
      await sleep(1000);
      return { why, before: atEnd, after: n };
    };
    const stopped = await endWith((w) => w.stop());
    const aborted = await endWith((_w, ctl) => ctl.abort());
    // Paused: no frames, no runs; playing again resumes.
    let n = 0;
    const w = c.watch(v.video, () => n++);
    while (n < 3) await sleep(20);
    v.video.pause();
    await sleep(300);
    const paused = n;
    await sleep(1000);
    const pausedAfter = n;
    await v.video.play();
    await sleep(1000);
    const resumed = n;
    w.stop();
    const disposed = await endWith(() => c.dispose());
    let afterDispose = '';
    try {
      c.watch(v.video, () => undefined);
    } catch (e) {
      afterDispose = (e as { code?: string }).code ?? String(e);
    }
    // The video's end: a second classifier on a stream whose track stops.
    const c2 = await window.sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm', worker: false });
    const v2 = await window.sdk.photoVideo(urls);
    let m = 0;
    const w2 = c2.watch(v2.video, () => m++);
    while (m < 2) await sleep(20);
    v2.stop();
    const ended = await Promise.race([w2.done, sleep(5000).then(() => 'still running')]);
    w2.stop();
    // A video file (1.5 s of the photos, recorded here as WebM) ends by itself.
    const v3 = await window.sdk.photoVideo(urls, { msPerPhoto: 400 });
    const recorder = new MediaRecorder(v3.video.srcObject as MediaStream, { mimeType: 'video/webm' });
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    recorder.start();
    await sleep(1500);
    await new Promise((r) => ((recorder.onstop = r), recorder.stop()));
    v3.stop();
    const file = document.createElement('video');
    file.muted = true;
    file.src = URL.createObjectURL(new Blob(chunks, { type: 'video/webm' }));
    await file.play();
    let k = 0;
    const w3 = c2.watch(file, () => k++);
    const fileEnded = await Promise.race([w3.done, sleep(8000).then(() => 'still running')]);
    await c2.dispose();
    v.stop();
    return { stopped, aborted, paused, pausedAfter, resumed, disposed, afterDispose, ended, fileEnded, fileResults: k };
  }, PHOTOS);
  console.log(JSON.stringify(r));
  expect(r.stopped).toMatchObject({ why: 'stopped' });
  expect(r.stopped.after).toBe(r.stopped.before);
  expect(r.aborted).toMatchObject({ why: 'aborted' });
  expect(r.aborted.after).toBe(r.aborted.before);
  expect(r.disposed).toMatchObject({ why: 'disposed' });
  expect(r.disposed.after).toBe(r.disposed.before);
  expect(r.afterDispose).toBe('DISPOSED');
  expect(r.pausedAfter).toBe(r.paused);
  expect(r.resumed).toBeGreaterThan(r.pausedAfter);
  expect(r.ended).toBe('ended');
  expect(r.fileEnded).toBe('ended');
  expect(r.fileResults).toBeGreaterThan(0);
});

test("bad arguments throw at once (group names: end the watch before its first frame)", async ({ harness }) => {
  const r = await harness.evaluate(async (urls) => {
    const c = await window.sdk.createClassifier({ model: 'mobilenetv2-int8', backend: 'wasm' });
    const v = await window.sdk.photoVideo(urls.slice(0, 1));
    const errors = [];
    for (const call of [
      () => c.watch(document.createElement('img') as unknown as HTMLVideoElement, () => undefined),
      () => c.watch(v.video, null as unknown as () => void),
      () => c.watch(v.video, () => undefined, { maxFps: 0 }),
      () => c.watch(v.video, () => undefined, { allow: ['samoyd'] }),
    ]) {
      try {
        call();
        errors.push('no error');
      } catch (e) {
        errors.push(`${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    // Group names are checked once the WordNet table has loaded (its own chunk): the watch ends
    // with the error before any frame.
    let frames = 0;
    const w = c.watch(v.video, () => frames++, { groups: ['dgo'] });
    await w.done.then(
      (why) => errors.push(`ended: ${why}`),
      (e: Error) => errors.push(`${e.name}: ${e.message}`),
    );
    errors.push(`frames: ${frames}`);
    v.stop();
    await c.dispose();
    return errors;
  }, PHOTOS);
  expect(r[0]).toMatch(/^TypeError: watch\(video\): video must be an HTMLVideoElement/);
  expect(r[1]).toMatch(/^TypeError: .*onResult must be a function/);
  expect(r[2]).toMatch(/^RangeError: maxFps/);
  expect(r[3]).toMatch(/^RangeError: allow: "samoyd" is not a class of mobilenetv2-int8 \(did you mean "Samoyed"/);
  expect(r[4]).toMatch(/^RangeError: unknown group "dgo".*did you mean "dog"/);
  expect(r[5]).toBe('frames: 0');
});

test('maxFps and groups; the fake camera (getUserMedia)', async ({ harness }) => {
  const r = await harness.evaluate(async () => {
    const c = await window.sdk.createClassifier({ model: 'mobilenetv2-int8', backend: 'wasm' });
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
    await video.play();
    const results: { n: number; labels: string[]; fps: number; dropped: number }[] = [];
    const w = c.watch(video, (x) => results.push({ n: x.predictions.length, labels: x.predictions.map((p) => p.label), fps: x.fps, dropped: x.dropped }), {
      maxFps: 4,
      groups: ['dog', 'cat', 'bird', 'vehicle', 'device', 'container'],
      topK: 3,
    });
    await new Promise((r) => setTimeout(r, 3000));
    w.stop();
    (video.srcObject as MediaStream).getTracks().forEach((t) => t.stop());
    await c.dispose();
    return results;
  });
  console.log(`fake camera, maxFps 4: ${r.length} results in 3 s, last ${JSON.stringify(r.at(-1))}`);
  expect(r.length).toBeGreaterThanOrEqual(6);
  expect(r.length).toBeLessThanOrEqual(14);
  expect(r.at(-1)!.fps).toBeLessThan(5);
  expect(r.at(-1)!.dropped).toBeGreaterThan(r.length); // the camera gives ~30 frames per second
  for (const x of r) {
    expect(x.n).toBe(3);
    for (const l of x.labels) expect(['dog', 'cat', 'bird', 'vehicle', 'device', 'container']).toContain(l);
  }
});

test('WebGPU (page thread, external texture or its copy): each frame gets the label classify() gives the still frame; embed on WebGPU = on WASM', async ({ harness }) => {
  const r = await harness.evaluate(async (url) => {
    const c = await window.sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'webgpu', worker: false, topK: 1 });
    const v = await window.sdk.photoVideo([url], { width: 320, height: 240 });
    const still = document.createElement('canvas');
    still.width = 320;
    still.height = 240;
    const img = new Image();
    img.src = url;
    await img.decode();
    window.sdk.drawFit(still.getContext('2d')!, img);
    const expected = (await c.classify(still))[0].label;
    const labels: string[] = [];
    const w = c.watch(v.video, (x) => labels.push(x.predictions[0].label));
    while (labels.length < 5) await new Promise((r) => setTimeout(r, 50));
    w.stop();
    v.stop();
    const backend = c.backend;
    // Embeddings (e2e/embeddings.spec.ts) on the same WebGPU session, against WASM.
    const cpu = await window.sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'wasm', worker: false });
    const [eg, ec] = [await c.embed(still), await cpu.embed(still)];
    const embedding = { size: eg.length, maxDiff: Math.max(...Array.from(eg).map((x, i) => Math.abs(x - ec[i]))) };
    await cpu.dispose();
    await c.dispose();
    return { backend, expected, labels, embedding };
  }, PHOTOS[0]);
  console.log(JSON.stringify(r));
  expect(r.backend).toBe('webgpu');
  expect(r.expected).toBe('dog');
  expect(r.labels.every((l) => l === r.expected)).toBe(true);
  expect(r.embedding.size).toBe(64);
  expect(r.embedding.maxDiff).toBeLessThan(1e-4);
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
