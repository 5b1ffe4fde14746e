/** Where a load's time goes: named stage durations, summed, in milliseconds (see `Classifier.loadTimings`). */

/** The stages a load times (the keys of `LoadTimings` that are durations of one step). */
export type LoadStage = 'labels' | 'modelRead' | 'modelCheck' | 'graph' | 'runtimeImport' | 'runtimeStart' | 'runtimeMemory' | 'session' | 'warmUp' | 'cacheWrite';

/** The prefix of the User Timing measures a load leaves (`resnet-web: session`, …). */
export const MEASURE_PREFIX = 'resnet-web: ';

/**
 * Leaves `name` as a User Timing measure from `start` to `end` (`performance.now()` times) on this
 * thread's timeline, where the browser's performance panel shows it, and returns its duration.
 * Best effort: where the options form of `performance.measure` is missing, only the duration.
 */
export function measure(name: string, start: number, end = performance.now()): number {
  try {
    performance.measure(MEASURE_PREFIX + name, { start, end });
  } catch {
    // an old engine: the timings are still in loadTimings
  }
  return end - start;
}

/**
 * Collects the stages of one load; stages that run at once are each timed in full. Each timed
 * step is also left as a User Timing measure (see {@link measure}), so that the overlap shows.
 */
export class LoadClock {
  readonly start = performance.now();
  readonly stages: Record<LoadStage, number> = {
    labels: 0, modelRead: 0, modelCheck: 0, graph: 0, runtimeImport: 0, runtimeStart: 0, runtimeMemory: 0, session: 0, warmUp: 0, cacheWrite: 0,
  };
  /** Where the model bytes came from. */
  source: 'cache' | 'network' = 'network';

  /** Adds the time since `t0` (a `performance.now()`) to `stage`. */
  add(stage: LoadStage, t0: number): void {
    this.stages[stage] += measure(stage, t0);
  }

  /** Adds the time `work` takes to `stage`. */
  async time<T>(stage: LoadStage, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.add(stage, t0);
    }
  }

  /** The same for synchronous work. */
  timeSync<T>(stage: LoadStage, work: () => T): T {
    const t0 = performance.now();
    try {
      return work();
    } finally {
      this.add(stage, t0);
    }
  }
}
