/**
 * The demo as an installable PWA, offline: load it once online, go offline, reload, classify a
 * photo. Everything comes from the service worker's caches and the SDK's model cache.
 */
import path from 'node:path';
import { previewPort } from '../playwright.config.ts';
import { expect, IMAGES, test } from './fixtures.ts';

const origin = `http://localhost:${previewPort}`;
const demo = `${origin}/demo/?model=mobilenetv2-int8&backend=wasm`;

test('manifest: installable metadata and icons', async ({ request }) => {
  const manifest = await (await request.get(`${origin}/manifest.webmanifest`)).json();
  expect(manifest).toMatchObject({ short_name: 'resnet-web', start_url: '/demo/', display: 'standalone' });
  const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
  expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
  for (const icon of manifest.icons) expect((await request.get(origin + icon.src)).headers()['content-type']).toBe('image/png');
});

test('offline: load once, go offline, reload, classify a photo with no network', async ({ context, page }) => {
  await page.goto(demo);
  await page.waitForFunction(async () => !!(await navigator.serviceWorker.ready) && !!navigator.serviceWorker.controller, null, { timeout: 120_000 });
  await expect(page.locator('#engine')).toContainText('Backend: WASM');
  // Once more online, now under the service worker: the labels go through its cache.
  await page.reload();
  await expect(page.locator('#engine')).toContainText('Backend: WASM');

  await context.setOffline(true);
  const network: string[] = [];
  const failed: string[] = [];
  context.on('request', (r) => network.push(r.url()));
  context.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  context.on('response', (r) => {
    // blob:/data: URLs are in memory (the demo's preview image), not the network.
    if (!r.fromServiceWorker() && !/^(blob|data):/.test(r.url())) network.push(`not from the service worker: ${r.url()}`);
  });
  network.length = 0;
  await page.reload();
  await expect(page.locator('#engine')).toContainText('Backend: WASM');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true); // COOP/COEP kept by the cached page
  await page.setInputFiles('#file', path.join(IMAGES, 'classic/pytorch-hub-dog.jpg'));
  await expect(page.locator('#bars li').first()).toContainText('Samoyed');
  expect(failed).toEqual([]);
  expect(network.filter((u) => u.startsWith('not from'))).toEqual([]);
  await context.setOffline(false);
});
