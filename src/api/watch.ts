/**
 * Live video: `classifier.watch(video, onResult)` classifies frames as the video presents them
 * (`requestVideoFrameCallback`, else animation frames), one run at a time. Frames that come while
 * a run is in flight are dropped, never queued, so results keep up with the video however slow
 * the model is.
 */
import { ClassifierError } from '../common/errors.ts';
import { checkControls, type ClassSource, type ResultControls, type ResultFor } from '../output/controls.ts';
import type { Prediction } from '../output/decode.ts';
import { checkView, type ViewOptions } from '../preprocess/view.ts';

/** Options of `classifier.watch`: the result controls and view of `classify`, plus the frame rate. */
export interface WatchOptions extends ResultControls, ViewOptions {
  /**
   * Classify at most this many frames per second (the others count as dropped). Without it,
   * every frame the model has time for is classified.
   */
  maxFps?: number;
  /** Stops watching (`done` resolves with `'aborted'`); a run in flight is not waited for. */
  signal?: AbortSignal;
}

/** One classified frame. */
export interface WatchResult<P extends Prediction = Prediction> {
  /** The frame's predictions (group predictions with `groups`). */
  predictions: P[];
  /**
   * When the frame was presented, on the `performance.now()` clock (the frame callback's
   * `presentationTime`, or the time it was taken where there is none).
   */
  frameTime: number;
  /** The frame's position in the video, in seconds (`mediaTime`; for a camera, time since it started). */
  mediaTime: number;
  /** Milliseconds from `frameTime` to this result: about one run, since frames never wait in a queue. */
  latency: number;
  /** Frames classified per second, over the last two seconds. */
  fps: number;
  /** Frames classified so far, this one included. */
  frames: number;
  /** Frames the video presented that were not classified (a run was in flight, or `maxFps`). */
  dropped: number;
}

/** Why a watch ended: `stop()`, the signal, the classifier's `dispose()`, or the video's end. */
export type WatchEnd = 'stopped' | 'aborted' | 'disposed' | 'ended';

/** A running `watch`. */
export interface Watch {
  /** Stops at once: no callback follows, even for a run in flight. */
  stop(): void;
  /** Settles when the watch ends: with why, or rejects with the error that ended it (a failed run, a throwing `onResult`). */
  readonly done: Promise<WatchEnd>;
}

type VideoFrameCallback = (now: number, metadata: { presentationTime?: number; mediaTime?: number }) => void;
interface FrameCallbackVideo {
  requestVideoFrameCallback?(callback: VideoFrameCallback): number;
  cancelVideoFrameCallback?(handle: number): void;
}

/** The watches of one classifier, ended together by its `dispose()`. */
export type Watchers = Set<(why: WatchEnd) => void>;

function isVideo(v: unknown): v is HTMLVideoElement {
  return typeof HTMLVideoElement !== 'undefined' && v instanceof HTMLVideoElement;
}

/**
 * The loop behind `classifier.watch`. `classify` runs one frame; `check` validates the result
 * controls up front (throwing), so that a bad option fails the call, not the first frame; what
 * it can only check later (group names, before the WordNet table is loaded) ends the watch with
 * the error before any frame.
 */
export function watchVideo<P extends Prediction>(
  video: HTMLVideoElement,
  onResult: (result: WatchResult<P>) => void,
  options: WatchOptions,
  classify: (video: HTMLVideoElement, options: ResultControls & ViewOptions & { signal: AbortSignal }) => Promise<P[]>,
  check: (controls: ResultControls & ViewOptions) => void | Promise<unknown>,
  watchers: Watchers,
): Watch {
  if (!isVideo(video)) {
    throw new TypeError('watch(video): video must be an HTMLVideoElement (playing a camera stream, a file or a canvas.captureStream())');
  }
  if (typeof onResult !== 'function') throw new TypeError('watch(video, onResult): onResult must be a function');
  const { signal, maxFps, ...controls } = options ?? {};
  if (maxFps !== undefined && !(typeof maxFps === 'number' && maxFps > 0)) {
    throw new RangeError(`maxFps must be a number of frames per second > 0, got ${String(maxFps)}`);
  }
  const checked = check(controls);
  const minInterval = maxFps ? 1000 / maxFps : 0;
  const runs = new AbortController();
  const frameVideo = video as HTMLVideoElement & FrameCallbackVideo;
  const hasFrameCallback = typeof frameVideo.requestVideoFrameCallback === 'function';
  // A camera or canvas stream ends when its tracks stop; the <video> does not always say so.
  const stream = typeof MediaStream !== 'undefined' && video.srcObject instanceof MediaStream ? video.srcObject : null;

  let ended = false;
  let busy = false;
  let frames = 0;
  let dropped = 0;
  let lastStart = -Infinity;
  let lastMediaTime = -1;
  let handle: number | null = null;
  const times: number[] = [];
  let settle!: (why: WatchEnd | Error) => void;
  const done = new Promise<WatchEnd>((resolve, reject) => {
    settle = (why) => (why instanceof Error ? reject(why) : resolve(why));
  });

  const end = (why: WatchEnd | Error) => {
    if (ended) return;
    ended = true;
    if (handle !== null) {
      if (hasFrameCallback) frameVideo.cancelVideoFrameCallback?.(handle);
      else cancelAnimationFrame(handle);
      handle = null;
    }
    runs.abort();
    video.removeEventListener('ended', onEnded);
    stream?.removeEventListener('inactive', onEnded);
    video.removeEventListener('play', schedule);
    signal?.removeEventListener('abort', onAbort);
    watchers.delete(end);
    settle(why);
  };
  const onEnded = () => end('ended');
  const onAbort = () => end('aborted');

  function schedule(): void {
    if (ended || handle !== null) return;
    if (hasFrameCallback) {
      handle = frameVideo.requestVideoFrameCallback!((now, meta) => {
        handle = null;
        onFrame(now, meta.presentationTime ?? now, meta.mediaTime ?? video.currentTime);
      });
    } else if (!video.paused) {
      // No frame callbacks (older engines): poll on animation frames while playing; a pause
      // stops polling and 'play' resumes it.
      handle = requestAnimationFrame((now) => {
        handle = null;
        if (video.readyState >= 2 && video.currentTime !== lastMediaTime) onFrame(now, now, video.currentTime);
        else schedule();
      });
    }
  }

  function onFrame(now: number, frameTime: number, mediaTime: number): void {
    if (ended) return;
    lastMediaTime = mediaTime;
    schedule();
    if (busy || now - lastStart < minInterval) {
      dropped++;
      return;
    }
    busy = true;
    lastStart = now;
    classify(video, { ...controls, signal: runs.signal }).then(
      (predictions) => {
        busy = false;
        if (ended) return;
        const t = performance.now();
        frames++;
        times.push(t);
        while (t - times[0] > 2000) times.shift();
        const fps = times.length > 1 ? ((times.length - 1) * 1000) / (t - times[0]) : 1000 / Math.max(1, t - now);
        try {
          onResult({ predictions, frameTime, mediaTime, latency: t - frameTime, fps, frames, dropped });
        } catch (e) {
          end(e instanceof Error ? e : new Error(String(e)));
        }
      },
      (e: unknown) => {
        busy = false;
        if (!ended) end(e instanceof Error ? e : new ClassifierError('INFERENCE_FAILED', String(e)));
      },
    );
  }

  watchers.add(end);
  if (signal?.aborted) end('aborted');
  else if (video.ended || stream?.active === false) end('ended');
  else {
    signal?.addEventListener('abort', onAbort, { once: true });
    video.addEventListener('ended', onEnded);
    stream?.addEventListener('inactive', onEnded);
    if (!hasFrameCallback) video.addEventListener('play', schedule);
    if (checked) checked.then(schedule, (e: unknown) => end(e instanceof Error ? e : new Error(String(e))));
    else schedule();
  }
  return { stop: () => end('stopped'), done };
}

/** What `watch` needs of a classifier (both classifiers, in this thread and across a worker, are one). */
export interface FrameClassifier extends ClassSource {
  classify(video: HTMLVideoElement, options: ResultControls & ViewOptions & { signal: AbortSignal }): Promise<Prediction[]>;
}

/** `classifier.watch` of both classifiers (in this thread and in a worker): frames through `c.classify`. */
export function startWatch<O extends WatchOptions>(
  c: FrameClassifier,
  watchers: Watchers,
  video: HTMLVideoElement,
  onResult: (result: WatchResult<ResultFor<O>>) => void,
  options?: O,
): Watch {
  return watchVideo(
    video,
    onResult,
    options ?? {},
    (v, o) => c.classify(v, o) as Promise<ResultFor<O>[]>,
    (controls) => {
      checkView(controls);
      return checkControls(c, controls);
    },
    watchers,
  );
}

/** `dispose()`: every watch of the classifier ends, with no further callback. */
export function endWatches(watchers: Watchers): void {
  for (const end of [...watchers]) end('disposed' satisfies WatchEnd);
}
