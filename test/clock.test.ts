/** common/clock.ts: a load's stages, summed per stage, each also left as a User Timing measure. */
import { afterEach, describe, expect, it } from 'vitest';
import { LoadClock, MEASURE_PREFIX, measure } from '../src/common/clock.ts';

const measures = (name: string) => performance.getEntriesByName(MEASURE_PREFIX + name, 'measure');

describe('LoadClock', () => {
  afterEach(() => performance.clearMeasures());

  it('sums each stage and leaves one measure per timed step, with the same start and duration', async () => {
    const clock = new LoadClock();
    const t0 = performance.now();
    await clock.time('modelRead', () => new Promise((resolve) => setTimeout(resolve, 20)));
    clock.timeSync('graph', () => undefined);
    clock.add('session', t0);
    const read = measures('modelRead');
    expect(read).toHaveLength(1);
    expect(read[0].duration).toBeGreaterThanOrEqual(15);
    expect(read[0].duration).toBeCloseTo(clock.stages.modelRead, 6);
    expect(read[0].startTime).toBeGreaterThanOrEqual(t0);
    const session = measures('session');
    expect(session).toHaveLength(1);
    expect(session[0].startTime).toBe(t0);
    expect(session[0].duration).toBeCloseTo(clock.stages.session, 6);
    expect(measures('graph')).toHaveLength(1);
    expect(measures('labels')).toHaveLength(0); // not timed, not measured
    expect(clock.stages.labels).toBe(0);
  });

  it('a stage timed twice sums both, and leaves two measures', () => {
    const clock = new LoadClock();
    const t0 = performance.now() - 10;
    clock.add('runtimeMemory', t0);
    clock.add('runtimeMemory', t0);
    const both = measures('runtimeMemory');
    expect(both).toHaveLength(2);
    expect(clock.stages.runtimeMemory).toBeCloseTo(both[0].duration + both[1].duration, 6);
  });

  it('measure() returns the duration it measured', () => {
    expect(measure('load', 10, 25)).toBe(15);
    expect(measures('load')[0].duration).toBe(15);
  });

  it('measure() never throws, whatever the times', () => {
    expect(() => measure('load', 10, 5)).not.toThrow();
    expect(() => measure('load', Number.NaN)).not.toThrow();
  });
});
