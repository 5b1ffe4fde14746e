import { VitePWA } from 'vite-plugin-pwa';
import { resnetWeb } from './src/vite.ts';
import { defineConfig } from 'vitest/config';

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

export default defineConfig({
  // The SDK's own Vite plugin (resnet-web/vite), as an app would use it: ES module workers, no
  // pre-bundling of onnxruntime-web, no `new Function` in its WebGPU build, COOP/COEP headers.
  plugins: [resnetWeb(), pwa],
  build: {
    outDir: 'dist-demo',
    rolldownOptions: { input: { demo: 'demo/index.html' } },
  },
  test: { include: ['test/**/*.test.ts'] },
});
