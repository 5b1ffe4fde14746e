/**
 * The build-time patch of onnxruntime-web's WebGPU bundle (src/tools/ort-csp.ts): the invoker it
 * swaps in must behave exactly as the one embind generates with `new Function`, for every kind
 * of call, with and without a return value. The generator below mirrors the bundle's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withoutDynamicCode } from '../src/tools/ort-csp.ts';

/** The statement in each minified build: [statement, helpers variable, kind/result variable, source variable]. */
const FORMS = {
  'ort.webgpu.bundle.min.mjs': ['n=new Function(Object.keys(h),m)(...Object.values(h))', 'h', 'n', 'm'],
  'ort-wasm-simd-threaded.asyncify.mjs': ['c=(new Function(Object.keys(k),h))(...Object.values(k))', 'k', 'c', 'h'],
} as const;
type Invoker = (handle: number, methodName: number, destructorsRef: number, args: number) => unknown;

/** embind's `_emval_get_method_caller` source for `argc` arguments (as in ort.webgpu.bundle.min.mjs). */
function source(kind: number, argc: number, isVoid: boolean): string {
  const args = Array.from({ length: argc }, (_, x) => `argFromPtr${x}(args${x ? `+${8 * x}` : ''})`);
  let m = ['toValue(handle)', 'toValue(handle)[getStringOrSymbol(methodName)]', 'new (toValue(handle))', ''][kind];
  m += `(${args})`;
  if (!isVoid) m = `return emval_returnValue(toReturnWire, destructorsRef, ${m})`;
  return `return function (handle, methodName, destructorsRef, args) {\n  ${m}\n  }`;
}

/** The helpers embind passes in `h`, over a fake heap; `log` records what they were called with. */
function helpers(kind: number, argc: number, isVoid: boolean, log: unknown[]) {
  class Point {
    constructor(readonly a: unknown, readonly b: unknown) {}
  }
  const target = {
    scale(this: { factor: number }, ...a: number[]) {
      log.push(['this', this === target]);
      return a.map((x) => x * this.factor);
    },
    factor: 3,
  };
  const handles: Record<number, unknown> = {
    1: (...a: number[]) => a.reduce((s, x) => s + x, 0),
    2: target,
    3: Point,
  };
  const heap: Record<number, number> = { 100: 5, 108: 7, 116: 11 };
  const h: Record<string, unknown> = { toValue: (x: number) => handles[x] };
  for (let x = 0; x < argc; x++) {
    h[`argFromPtr${x}`] = (p: number) => {
      log.push(['read', x, p]);
      return heap[p];
    };
  }
  if (kind === 1) h.getStringOrSymbol = (id: number) => (id === 9 ? 'scale' : '?');
  if (!isVoid) {
    h.toReturnWire = 'wire';
    h.emval_returnValue = (wire: string, ref: number, v: unknown) => ({ wire, ref, v });
  }
  return h;
}

function invoker(form: keyof typeof FORMS, statement: string, kind: number, argc: number, isVoid: boolean, log: unknown[]): Invoker {
  const [, h, n, m] = FORMS[form];
  const make = new Function(h, n, m, `${statement}; return ${n}`) as (h: object, n: number, m: string) => Invoker;
  return make(helpers(kind, argc, isVoid, log), kind, source(kind, argc, isVoid));
}

for (const [form, [STATEMENT]] of Object.entries(FORMS) as [keyof typeof FORMS, (typeof FORMS)[keyof typeof FORMS]][]) {
describe(`${form} without new Function`, () => {
  const patched = withoutDynamicCode(STATEMENT);

  for (const kind of [0, 1, 2, 3]) {
    for (const isVoid of [false, true]) {
      for (const argc of kind === 3 ? [1, 2] : [0, 1, 3]) {
        it(`kind ${kind}, ${argc} argument(s), ${isVoid ? 'void' : 'with a return value'}: same result and calls`, () => {
          const handle = kind === 0 ? 1 : kind === 1 ? 2 : kind === 2 ? 3 : 0;
          const logA: unknown[] = [];
          const logB: unknown[] = [];
          const a = invoker(form, STATEMENT, kind, argc, isVoid, logA)(handle, 9, 42, 100);
          const b = invoker(form, patched, kind, argc, isVoid, logB)(handle, 9, 42, 100);
          expect(b).toEqual(a);
          expect(logB).toEqual(logA);
          if (!isVoid) expect(a).toMatchObject({ wire: 'wire', ref: 42 });
        });
      }
    }
  }

  it('patches the installed file once and leaves no new Function or eval', () => {
    const file = path.resolve(import.meta.dirname, `../node_modules/onnxruntime-web/dist/${form}`);
    const code = readFileSync(file, 'utf8');
    expect(code.split(STATEMENT)).toHaveLength(2);
    const out = withoutDynamicCode(code, form);
    expect(out).not.toMatch(/new Function/);
    expect(out.length - code.length).toBeLessThan(600);
  });
});
}

describe('withoutDynamicCode', () => {
  it('refuses a file where the pattern is missing (an upgrade must be looked at)', () => {
    expect(() => withoutDynamicCode('var x = 1;')).toThrow(/found it 0 times/);
  });
});
