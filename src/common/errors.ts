/**
 * What went wrong, as a stable machine-readable code.
 *
 * - `MODEL_LOAD_FAILED`: the model or its labels could not be fetched or parsed, or the model
 *   does not match its spec (input/output names, class count).
 * - `MODEL_INTEGRITY`: the downloaded bytes do not match the spec's sha256.
 * - `BACKEND_UNAVAILABLE`: the requested backend (e.g. WebGPU) cannot run here.
 * - `INVALID_IMAGE`: the input cannot be decoded, has no pixels, or cannot be read.
 * - `INFERENCE_FAILED`: the runtime failed while running the model (e.g. out of memory). A lost
 *   WebGPU device is not one: the classifier moves to WASM and runs the call again.
 * - `DISPOSED`: the classifier was used after `dispose()`.
 * - `ABORTED`: the caller's `AbortSignal` fired before the work ran.
 * - `INVALID_LEARNED`: `loadLearned` was given something that is not a learned classifier's JSON
 *   (the message names the field that is wrong).
 * - `LEARNED_MISMATCH`: `loadLearned` was given JSON learned on another model (the message names
 *   both models and their embedding sizes).
 */
export type ClassifierErrorCode =
  | 'MODEL_LOAD_FAILED'
  | 'MODEL_INTEGRITY'
  | 'BACKEND_UNAVAILABLE'
  | 'INVALID_IMAGE'
  | 'INFERENCE_FAILED'
  | 'DISPOSED'
  | 'ABORTED'
  | 'INVALID_LEARNED'
  | 'LEARNED_MISMATCH';

/** The one error class the SDK rejects with (besides `TypeError`/`RangeError` for misuse of arguments). */
export class ClassifierError extends Error {
  /** A stable code to branch on; the message is for humans. */
  readonly code: ClassifierErrorCode;
  /** The underlying error, when there is one. */
  override readonly cause?: unknown;

  constructor(code: ClassifierErrorCode, message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = 'ClassifierError';
    this.code = code;
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

/** True when `e` is a {@link ClassifierError}, optionally with the given code. */
export function isClassifierError(e: unknown, code?: ClassifierErrorCode): e is ClassifierError {
  return e instanceof ClassifierError && (code === undefined || e.code === code);
}
