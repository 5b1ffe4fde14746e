import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 5178);
/** The production build of the demo (`vite build` + `vite preview`), where bundling issues show. */
export const previewPort = port + 1;
/** `npm run build` output (dist/) on a plain static server: no COOP/COEP, no bundler. */
export const staticPort = port + 2;

/** Debian's Chromium, or $CHROMIUM_PATH. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium's flags; WebGPU (SwiftShader here, the real GPU elsewhere) enabled. */
export const chromiumArgs = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  // A synthetic camera for the demo's webcam test; no permission prompt.
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

export default defineConfig({
  testDir: 'e2e',
  timeout: 10 * 60_000,
  expect: { timeout: 60_000 },
  workers: 1, // the model runs use every core; parallel tests would only slow each other down
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: chromiumPath,
      args: chromiumArgs,
    },
  },
  webServer: [
    {
      command: `npx vite --port ${port} --strictPort`,
      url: `http://localhost:${port}/e2e/harness.html`,
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
    },
    {
      command: `npx vite build --logLevel warn && npx vite preview --port ${previewPort} --strictPort`,
      url: `http://localhost:${previewPort}/demo/`,
      reuseExistingServer: !process.env.CI,
      timeout: 180_000,
    },
    {
      command: `npm run build --silent && npx tsx e2e/static-server.ts ${staticPort}`,
      url: `http://localhost:${staticPort}/dist/resnet-web.js`,
      reuseExistingServer: !process.env.CI,
      timeout: 180_000,
    },
  ],
});
