/** Videos for the watch tests: a canvas showing photos in turn, as a `canvas.captureStream()` in a <video>. */

export interface PhotoVideo {
  video: HTMLVideoElement;
  /** When each photo went up, on the performance.now() clock. */
  shown: { index: number; from: number }[];
  /** Which photo the canvas showed at time `t` (−1 before the first). */
  photoAt(t: number): number;
  /** Stops drawing and ends the stream's track. */
  stop(): void;
}

/** Draws `image` centred and scaled to fit (letterboxed) on `ctx`'s canvas. */
export function drawFit(ctx: CanvasRenderingContext2D, image: HTMLImageElement): void {
  const { width, height } = ctx.canvas;
  const s = Math.min(width / image.naturalWidth, height / image.naturalHeight);
  const w = image.naturalWidth * s;
  const h = image.naturalHeight * s;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(image, (width - w) / 2, (height - h) / 2, w, h);
}

/** A playing <video> of `urls` shown in turn for `msPerPhoto` each (looping), captured at `fps`. */
export async function photoVideo(urls: string[], { msPerPhoto = 1500, fps = 30, width = 640, height = 480 } = {}): Promise<PhotoVideo> {
  const images = await Promise.all(
    urls.map(async (u) => {
      const img = new Image();
      img.src = u;
      await img.decode();
      return img;
    }),
  );
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  const stream = canvas.captureStream(fps);
  const shown: PhotoVideo['shown'] = [];
  const start = performance.now();
  let stopped = false;
  // Redraw on every animation frame (a canvas stream captures frames when the canvas is drawn).
  const draw = () => {
    if (stopped) return;
    const index = Math.floor((performance.now() - start) / msPerPhoto) % images.length;
    if (shown.at(-1)?.index !== index) shown.push({ index, from: performance.now() });
    drawFit(ctx, images[index]);
    requestAnimationFrame(draw);
  };
  draw();
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  document.body.append(video);
  await video.play();
  return {
    video,
    shown,
    photoAt: (t) => shown.findLast((s) => s.from <= t)?.index ?? -1,
    stop() {
      stopped = true;
      stream.getTracks().forEach((track) => track.stop());
    },
  };
}
