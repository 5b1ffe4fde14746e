/**
 * npm run build → dist/:
 *   resnet-web.js        ES module (import { createClassifier } from '/dist/resnet-web.js')
 *   resnet-web.iife.js   script-tag bundle: window.ResNetWeb + <img data-classify> auto-tagging
 *   resnet-web.worker.js the classifier's worker (worker: true)
 *   ort/                 onnxruntime-web's WASM and WebGPU builds, loaded on first use
 *   types/               TypeScript declarations
 * Serving the folder is all a page needs: no bundler, no CDN.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type InlineConfig } from 'vite';
import { ORT_DYNAMIC_CODE_FILES, withoutDynamicCode } from './ort-csp.ts';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

const common = (entry: string, format: 'es' | 'iife', fileName: string): InlineConfig => ({
  configFile: false,
  root,
  logLevel: 'warn',
  publicDir: false,
  // A script tag has no import.meta: the loader takes document.currentScript instead.
  ...(format === 'iife' ? { define: { 'import.meta.url': 'undefined' } } : {}),
  // dist/ loads onnxruntime-web from dist/ort/ instead of bundling it.
  // and starts its worker from dist/resnet-web.worker.js.
  resolve: {
    alias: [
      { find: /^\.\/ort-loader\.ts$/, replacement: path.join(root, 'src/ort-loader-dist.ts') },
      { find: /^\.\/worker-factory\.ts$/, replacement: path.join(root, 'src/worker-factory-dist.ts') },
    ],
  },
  build: {
    outDir: dist,
    emptyOutDir: false,
    sourcemap: true,
    lib: { entry: path.join(root, entry), formats: [format], name: 'ResNetWebBundle', fileName: () => fileName },
  },
});
await build(common('src/index.ts', 'es', 'resnet-web.js'));
await build(common('src/iife.ts', 'iife', 'resnet-web.iife.js'));
await build(common('src/worker.ts', 'es', 'resnet-web.worker.js'));

const ort = path.join(root, 'node_modules/onnxruntime-web/dist');
mkdirSync(path.join(dist, 'ort'));
for (const f of ['ort.wasm.bundle.min.mjs', 'ort-wasm-simd-threaded.wasm', 'ort.webgpu.bundle.min.mjs', 'ort-wasm-simd-threaded.asyncify.wasm']) {
  const bytes = readFileSync(path.join(ort, f));
  // No `new Function` in dist/: it runs under a strict Content-Security-Policy (see ort-csp.ts).
  writeFileSync(path.join(dist, 'ort', f), ORT_DYNAMIC_CODE_FILES.test(f) ? withoutDynamicCode(bytes.toString('utf8'), f) : bytes);
}
execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
console.log('dist/: resnet-web.js, resnet-web.iife.js, ort/, types/');
