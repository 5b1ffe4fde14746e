/** Cancellation: the `ABORTED` error, and work that rejects as soon as its signal fires. */
import { ClassifierError } from './errors.ts';

/** The error a call rejects with when its `AbortSignal` fires. */
export function aborted(signal?: AbortSignal): ClassifierError {
  return new ClassifierError('ABORTED', 'the call was aborted', { cause: signal?.reason });
}

/**
 * `work`, or `ABORTED` as soon as `signal` fires (the work itself cannot be interrupted: what it
 * yields after the abort goes to `late`, e.g. to release it).
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, late?: (value: T) => void): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work
      .then((value) => (signal.aborted ? late?.(value) : resolve(value)), reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}
