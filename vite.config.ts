import { defineConfig } from 'vitest/config';

/** WASM threads need a cross-origin isolated page: both servers send these. */
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  // onnxruntime-web finds its .wasm next to its own bundle (new URL(..., import.meta.url)):
  // pre-bundling would move the bundle away from it.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  // The classifier worker imports onnxruntime-web dynamically: ES module workers split chunks.
  worker: { format: 'es' },
  build: {
    outDir: 'dist-demo',
    rolldownOptions: { input: { demo: 'demo/index.html' } },
  },
  test: { include: ['test/**/*.test.ts'] },
});
