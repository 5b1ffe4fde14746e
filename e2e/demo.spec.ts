/**
 * The minimal demo, as built for production (`vite build`, served by `vite preview` with
 * COOP/COEP): pick an image, see the top-5 with scores and the backend.
 */
import path from 'node:path';
import { previewPort } from '../playwright.config.ts';
import { expect, IMAGES, test } from './fixtures.ts';

test('built demo: pick a photo, see the top-5 and the backend; a bad file gets a clear message', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://localhost:${previewPort}/demo/?model=mobilenetv2-int8&backend=wasm`);
  // WASM threads run only on a cross-origin isolated page; their workers must load ORT itself.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await page.setInputFiles('#file', path.join(IMAGES, 'classic/pytorch-hub-dog.jpg'));
  await expect(page.locator('#results li')).toHaveCount(5);
  await expect(page.locator('#results li').first()).toContainText('Samoyed');
  await expect(page.locator('#results li').first()).toContainText('%');
  await expect(page.locator('#status')).toContainText('Backend: wasm');

  await page.setInputFiles('#file', path.join(IMAGES, 'edge/not-an-image.jpg'));
  await expect(page.locator('#status')).toContainText('INVALID_IMAGE');
  await expect(page.locator('#status')).toHaveClass(/error/);
  await expect(page.locator('#results li')).toHaveCount(0);
  expect(errors).toEqual([]);
});
