import { VitePWA } from 'vite-plugin-pwa';
import { ortWithoutDynamicCode } from './scripts/ort-csp.ts';
import { defineConfig } from 'vitest/config';

/** WASM threads need a cross-origin isolated page: both servers send these. */
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The demo as an installable, offline PWA (Workbox via vite-plugin-pwa): the service worker
 * precaches the app shell, onnxruntime-web's .wasm files and the label files (13 KB). The model
 * bytes are kept by the SDK on first use (Cache Storage, checked by sha256), so they are not
 * stored twice.
 */
const pwa = VitePWA({
  registerType: 'autoUpdate',
  injectRegister: 'script',
  includeAssets: ['icons/*.png'],
  manifest: {
    name: 'resnet-web: image classification in your browser',
    short_name: 'resnet-web',
    description: 'Classify photos with a ResNet on your own device, online or offline.',
    start_url: '/demo/',
    scope: '/',
    display: 'standalone',
    background_color: '#fafafa',
    theme_color: '#0b63ce',
    icons: [
      { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  },
  workbox: {
    globPatterns: ['**/*.{html,js,css,wasm,png,webmanifest}', 'models/*.json'],
    globIgnores: ['models/*.onnx'],
    maximumFileSizeToCacheInBytes: 64 * 1024 * 1024, // onnxruntime-web's WebGPU build is 27 MB
    ignoreURLParametersMatching: [/.*/], // /demo/?model=… is the same page
    clientsClaim: true,
    skipWaiting: true,
  },
});

/** What any Vite build of pages that use the SDK from source needs (the demo, the e2e harness, the bench). */
export const sdkBuildConfig = {
  // No `new Function` in onnxruntime-web's WebGPU build (strict CSP), in dev and in the build.
  plugins: [ortWithoutDynamicCode()],
  // onnxruntime-web finds its .wasm next to its own bundle (new URL(..., import.meta.url)):
  // pre-bundling would move the bundle away from it.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  // The classifier worker imports onnxruntime-web dynamically. ES module workers keep it in a
  // chunk of its own; Vite's default ('iife') inlines it into the worker script, whose WASM
  // threads then start the classifier worker instead of onnxruntime-web, and hang.
  worker: { format: 'es' as const },
};

export default defineConfig({
  ...sdkBuildConfig,
  plugins: [...sdkBuildConfig.plugins, pwa],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  build: {
    outDir: 'dist-demo',
    rolldownOptions: { input: { demo: 'demo/index.html' } },
  },
  test: { include: ['test/**/*.test.ts'] },
});
