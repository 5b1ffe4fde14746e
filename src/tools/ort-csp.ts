/**
 * onnxruntime-web's WebGPU build (emscripten + embind) compiles one function at run time with
 * `new Function(...)`: embind's `_emval_get_method_caller`, which builds a small JS invoker for
 * each C++ `val` method signature. A page with a strict Content-Security-Policy (no
 * 'unsafe-eval') refuses that, and WebGPU would fail there. Emscripten has the same invoker
 * without code generation (its `DYNAMIC_EXECUTION=0` variant); this swaps it in.
 *
 * The generated source is
 *   return function (handle, methodName, destructorsRef, args) {
 *     [return emval_returnValue(toReturnWire, destructorsRef,] <call>(argFromPtr0(args), argFromPtr1(args+8), …) [)]
 *   }
 * with the helpers passed by name in `h`, and `<call>` chosen by the kind `n`:
 *   0 function call, 1 method call, 2 `new`, 3 the last argument as is.
 * The closure below does exactly that with the same helpers, so it does not depend on the
 * minifier's names beyond the two variables it reads. The build fails if the pattern is not found once (an
 * onnxruntime-web upgrade must look at this again).
 */
/**
 * The statement, as each minified build writes it: `<kind>=new Function(Object.keys(<h>),<src>)(...Object.values(<h>))`,
 * the result assigned to the variable that held the call kind (`n` in the bundle, `c` in the
 * separate `ort-wasm-simd-threaded.asyncify.mjs` that `wasmPaths` and cross-origin pages load).
 */
const DYNAMIC = /\b([A-Za-z_$][\w$]*)=\(?new Function\(Object\.keys\(([A-Za-z_$][\w$]*)\),[A-Za-z_$][\w$]*\)\)?\(\.\.\.Object\.values\(\2\)\)/g;

const STATIC =
  '$1=((h,kind)=>{' +
  'var read=[];for(var i=0;"argFromPtr"+i in h;i++)read.push(h["argFromPtr"+i]);' +
  'return function(handle,methodName,destructorsRef,args){' +
  'var a=read.map((f,x)=>f(args+8*x)),v;' +
  'switch(kind){' +
  'case 0:v=h.toValue(handle)(...a);break;' +
  'case 1:v=h.toValue(handle)[h.getStringOrSymbol(methodName)](...a);break;' +
  'case 2:v=new(h.toValue(handle))(...a);break;' +
  'case 3:v=a[a.length-1];break}' +
  'if(h.emval_returnValue)return h.emval_returnValue(h.toReturnWire,destructorsRef,v)}' +
  '})($2,$1)';

/** Files of onnxruntime-web that need the patch: the WebGPU bundle and its separate emscripten module. */
export const ORT_DYNAMIC_CODE_FILES = /(?:ort\.webgpu\.bundle\.min|ort-wasm-simd-threaded\.asyncify)\.mjs$/;

/** `code` (onnxruntime-web's WebGPU bundle or module) without `new Function`. */
export function withoutDynamicCode(code: string, file = 'ort.webgpu.bundle.min.mjs'): string {
  const n = code.match(DYNAMIC)?.length ?? 0;
  if (n !== 1) throw new Error(`${file}: expected embind's method-caller code generation once, found it ${n} times`);
  const out = code.replace(DYNAMIC, STATIC);
  if (/new Function|\beval\(/.test(out)) throw new Error(`${file}: still has new Function or eval after the patch`);
  return out;
}

