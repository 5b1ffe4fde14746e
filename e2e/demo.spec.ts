/**
 * The demo as built for production (`vite build`, served by `vite preview` with COOP/COEP):
 * upload, URL, a bad file, the gallery with its exports, the webcam, a phone-sized screen.
 * Screenshots go to e2e/screenshots/ (the README shows them).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { previewPort } from '../playwright.config.ts';
import { expect, IMAGES, serveImages, test } from './fixtures.ts';

const shots = path.join(import.meta.dirname, 'screenshots');
const demo = `http://localhost:${previewPort}/demo/?model=mobilenetv2-int8&backend=wasm`;

async function open(page: Page, query = ''): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await serveImages(page);
  await page.goto(demo + query);
  await expect(page.locator('#engine')).toContainText('Backend: WASM');
  // WASM threads run only on a cross-origin isolated page; their workers must load ORT itself.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  return errors;
}

test('upload a photo: top-5 bars with percentages, backend and stage timings', async ({ page }) => {
  const errors = await open(page);
  await page.setInputFiles('#file', path.join(IMAGES, 'classic/pytorch-hub-dog.jpg'));
  await expect(page.locator('#bars li')).toHaveCount(5);
  await expect(page.locator('#bars li').first()).toContainText('Samoyed');
  await expect(page.locator('#bars li .pct').first()).toHaveText(/^\d+\.\d %$/);
  await expect(page.locator('#timings')).toContainText(/WASM · decode .* · preprocess .* · inference .* · total/);
  await page.screenshot({ path: path.join(shots, 'demo-image.png'), fullPage: true });
  // What became of the model in the cache: kept on this first visit, read from it on the next.
  await expect(page.locator('#engine')).toContainText('downloaded and kept for next time');
  await page.reload();
  await expect(page.locator('#engine')).toContainText('read from the model cache');
  expect(errors).toEqual([]);
});

test('an image URL, then a bad file with a clear message', async ({ page }) => {
  const errors = await open(page);
  await page.fill('#url', `http://localhost:${previewPort}/test-images/classic/trt5-mug-cc0.jpeg`);
  await page.click('#url-form button');
  await expect(page.locator('#bars li').first()).toContainText('coffee mug');

  await page.setInputFiles('#file', path.join(IMAGES, 'edge/not-an-image.jpg'));
  await expect(page.locator('#message')).toBeVisible();
  await expect(page.locator('#message')).toContainText('That image cannot be used');
  await expect(page.locator('#message')).toContainText('not a decodable image');
  await expect(page.locator('#message')).toContainText('INVALID_IMAGE');
  await expect(page.locator('#bars li')).toHaveCount(0);
  await page.screenshot({ path: path.join(shots, 'demo-bad-file.png') });
  expect(errors).toEqual([]);
});

test('gallery: tag a folder with progress, export JSON and CSV, find similar, group duplicates; a bad photo is reported', async ({ page }) => {
  const errors = await open(page, '&tab=gallery');
  await page.setInputFiles('#folder', path.join(IMAGES, 'classic'));
  await expect(page.locator('#gallery-status')).toContainText('5 photos tagged');
  await expect(page.locator('#grid li')).toHaveCount(5);
  await expect(page.locator('#gallery-progress')).toHaveJSProperty('value', 1);

  const [json] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  const tags = JSON.parse(readFileSync(await json.path(), 'utf8')) as { file: string; predictions: { label: string }[] }[];
  expect(json.suggestedFilename()).toBe('tags.json');
  expect(Object.fromEntries(tags.map((t) => [t.file, t.predictions[0].label]))).toMatchObject({
    'pytorch-hub-dog.jpg': 'Samoyed',
    'trt5-binoculars.jpeg': 'binoculars',
    'trt5-mug-cc0.jpeg': 'coffee mug',
  });
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const rows = readFileSync(await csv.path(), 'utf8').trim().split('\r\n');
  expect(rows[0]).toBe('file,rank,label,index,score,error');
  expect(rows).toHaveLength(1 + 5 * 5);
  await page.screenshot({ path: path.join(shots, 'demo-gallery.png'), fullPage: true });

  // Find similar (click a photo) and group duplicates: by embedding, from the same runs as the tags.
  await page.locator('#grid li', { hasText: 'Samoyed' }).click();
  await expect(page.locator('#gallery-status')).toContainText('Most similar to pytorch-hub-dog.jpg first');
  await expect(page.locator('#grid li').first()).toContainText('Samoyed');
  await expect(page.locator('#grid li').first()).toContainText('similarity 1.00');
  await page.setInputFiles('#photos', [
    path.join(IMAGES, 'classic/trt5-mug-cc0.jpeg'), path.join(IMAGES, 'classic/pytorch-hub-dog.jpg'),
    path.join(IMAGES, 'classic/trt5-binoculars.jpeg'), path.join(IMAGES, 'classic/trt5-mug-cc0.jpeg'),
  ]);
  await expect(page.locator('#gallery-status')).toContainText('4 photos tagged');
  await page.click('#duplicates');
  await expect(page.locator('#gallery-status')).toHaveText('1 group of near-duplicates (2 photos), shown first.');
  await expect(page.locator('#grid li[data-group="1"]')).toHaveCount(2);
  await expect(page.locator('#grid li[data-group="1"]').first()).toContainText('coffee mug');

  await page.setInputFiles('#photos', [path.join(IMAGES, 'classic/trt5-mug-cc0.jpeg'), path.join(IMAGES, 'edge/truncated.jpg')]);
  await expect(page.locator('#gallery-status')).toContainText('2 photos tagged');
  await expect(page.locator('#gallery-status')).toContainText('1 could not be read');
  await expect(page.locator('#grid .error')).toContainText('truncated.jpg: not a readable image');
  expect(errors).toEqual([]);
});

test('categories: coarse WordNet groups for a photo and the gallery', async ({ page }) => {
  const errors = await open(page);
  await page.setInputFiles('#file', path.join(IMAGES, 'classic/pytorch-hub-dog.jpg'));
  await expect(page.locator('#bars li').first()).toContainText('Samoyed');
  await page.check('#categories'); // the shown photo is classified again
  await expect(page.locator('#bars li .label').first()).toHaveText('dog — Samoyed');
  await page.setInputFiles('#file', path.join(IMAGES, 'classic/trt5-mug-cc0.jpeg'));
  await expect(page.locator('#bars li .label').first()).toHaveText('container — coffee mug');
  await page.screenshot({ path: path.join(shots, 'demo-categories.png'), fullPage: true });
  await page.click('[data-tab="gallery"]');
  await page.setInputFiles('#photos', [path.join(IMAGES, 'classic/trt5-binoculars.jpeg')]);
  await expect(page.locator('#grid li div')).toContainText(/^device \(\d+ %\)$/);
  // A model whose classes are not ImageNet's: no categories.
  await page.selectOption('#model', 'resnet56-cifar10');
  await expect(page.locator('#categories')).toBeDisabled();
  await expect(page.locator('#categories')).not.toBeChecked();
  expect(errors).toEqual([]);
});

test('webcam: live classification with classifier.watch, FPS and dropped frames', async ({ page }) => {
  const errors = await open(page, '&tab=webcam');
  await page.click('#cam-start');
  await expect(page.locator('#cam-bars li')).toHaveCount(3);
  await expect(page.locator('#fps')).toHaveText(/^\d+\.\d FPS · \d+ dropped$/, { timeout: 30_000 });
  await page.check('#categories'); // watching again, with groups
  await expect(page.locator('#cam-bars li .label').first()).toHaveText(/ — /);
  await page.screenshot({ path: path.join(shots, 'demo-webcam.png') });
  await page.click('#cam-stop');
  await expect(page.locator('#fps')).toHaveText('');
  expect(errors).toEqual([]);
});

test('phone-sized screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const errors = await open(page);
  await page.setInputFiles('#file', path.join(IMAGES, 'classic/trt5-tabby_tiger_cat.jpg'));
  await expect(page.locator('#bars li')).toHaveCount(5);
  // Nothing wider than the screen.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: path.join(shots, 'demo-phone.png'), fullPage: true });
  expect(errors).toEqual([]);
});

test('backend "auto" without WebGPU: the demo says it runs on WASM, and why', async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined }));
  await serveImages(page);
  // On the page's thread: the script above hides WebGPU from the page, not from a worker.
  await page.goto(`http://localhost:${previewPort}/demo/?model=mobilenetv2-int8&backend=auto&worker=0`);
  await expect(page.locator('#engine')).toContainText('Backend: WASM');
  await expect(page.locator('#engine')).toContainText('on WASM because this browser has no WebGPU');
});

test('the default model missing (npm start offline): the demo opens on the committed MobileNetV2-int8 and says which model and why', async ({ page }) => {
  // As on a fresh clone whose `npm start` could not download ResNet-50.
  await page.route('**/models/resnet50-v1-7.onnx', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await serveImages(page);
  await page.goto(`http://localhost:${previewPort}/demo/?backend=wasm`);
  await expect(page.locator('#engine')).toContainText('model mobilenetv2-int8', { timeout: 60_000 });
  const note = page.locator('#model-note');
  await expect(note).toBeVisible();
  await expect(note).toContainText('Using mobilenetv2-int8');
  await expect(note).toContainText('because the default resnet50 could not be loaded');
  await expect(note).toContainText('HTTP 404');
  await expect(note).toContainText('npm run models');
  await expect(page.locator('#model')).toHaveValue('mobilenetv2-int8');
  await expect(page.locator('#message')).toBeHidden();
  // And it classifies with it.
  await page.fill('#url', `http://localhost:${previewPort}/test-images/classic/trt5-binoculars.jpeg`);
  await page.click('#url-form button');
  await expect(page.locator('#bars li').first()).toContainText('binoculars');
});

test('a model picked in the URL that is missing is an error, not a silent switch', async ({ page }) => {
  await page.route('**/models/resnet50-v1-7.onnx', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(`http://localhost:${previewPort}/demo/?model=resnet50&backend=wasm`);
  await expect(page.locator('#message')).toContainText('MODEL_LOAD_FAILED', { timeout: 60_000 });
  await expect(page.locator('#model-note')).toBeHidden();
  await expect(page.locator('#model')).toHaveValue('resnet50');
});

test("the precision picker shows each file's size; picking one loads that file", async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await serveImages(page);
  await page.route('**/models/resnet56-cifar10.fp16.onnx', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(`http://localhost:${previewPort}/demo/?model=resnet56-cifar10&backend=wasm`);
  const option = (value: string) => page.locator(`#precision option[value="${value}"]`);
  await expect(option('fp32')).toHaveText('fp32 — 3.4 MB');
  await expect(option('int8')).toHaveText('int8 — 0.9 MB');
  await expect(option('fp16')).toHaveText('fp16 — not on the server');
  await expect(option('fp16')).toBeDisabled();
  // 'auto' (the demo's default) took the smallest file there.
  await expect(page.locator('#precision')).toHaveValue('auto');
  await expect(page.locator('#engine')).toContainText('model resnet56-cifar10 (int8)');
  await page.selectOption('#precision', 'fp32');
  await expect(page.locator('#engine')).toContainText('model resnet56-cifar10 (fp32)');
  await page.setInputFiles('#file', path.join(IMAGES, 'cifar10/ship/0000.jpg'));
  await expect(page.locator('#bars li')).toHaveCount(5);
  await page.locator('.controls').screenshot({ path: path.join(shots, 'demo-precision.png') });
  expect(errors).toEqual([]);
});

test('teach: two labels from photos, learn with progress, try a photo, export and import the JSON, the webcam live', async ({ page }, testInfo) => {
  const errors = await open(page, '&tab=teach');
  const cifar = (label: string, files: string[]) => files.map((f) => path.join(IMAGES, 'cifar10', label, f));
  for (const label of ['airplane', 'cat']) {
    await page.fill('#teach-label', label);
    await page.click('#teach-form button[type="submit"]');
  }
  await expect(page.locator('#teach-labels li')).toHaveCount(2);
  await expect(page.locator('#teach-learn')).toBeDisabled(); // no photos yet
  await page.setInputFiles('input[data-label="airplane"]', cifar('airplane', ['0000.jpg', '0001.jpg', '0002.jpg', '0003.jpg', '0004.jpg']));
  await page.setInputFiles('input[data-label="cat"]', cifar('cat', ['0000.jpg', '0001.jpg', '0002.jpg', '0003.jpg', '0004.jpg']));
  await expect(page.locator('#teach-labels li').first()).toContainText('0 learned, 5 new');
  await page.click('#teach-learn');
  await expect(page.locator('#teach-status')).toContainText(/Learned 2 labels from 10 photos in \d+\.\d s/);
  await expect(page.locator('#teach-labels li').first()).toContainText('5 learned');

  await page.setInputFiles('#teach-test', cifar('airplane', ['0050.jpg']));
  await expect(page.locator('#teach-bars li')).toHaveCount(2);
  await expect(page.locator('#teach-bars li').first()).toContainText('airplane');

  const [saved] = await Promise.all([page.waitForEvent('download'), page.click('#teach-export')]);
  const file = testInfo.outputPath('learned.json');
  await saved.saveAs(file);
  const json = JSON.parse(readFileSync(file, 'utf8'));
  expect(json).toMatchObject({ format: 'resnet-web/learned', model: 'mobilenetv2-int8', labels: ['airplane', 'cat'] });

  // A new visit: import the JSON, the same answer; then the (synthetic) webcam, live.
  await page.reload();
  await expect(page.locator('#engine')).toContainText('Backend: WASM');
  await page.setInputFiles('#teach-import', file);
  await expect(page.locator('#teach-status')).toContainText('Imported 2 labels (airplane, cat)');
  await page.setInputFiles('#teach-test', cifar('airplane', ['0050.jpg']));
  await expect(page.locator('#teach-bars li').first()).toContainText('airplane');
  await page.click('#teach-cam');
  await expect(page.locator('#teach-video')).toHaveJSProperty('paused', false);
  await expect(page.locator('#teach-labels button', { hasText: 'Add webcam frame' }).first()).toBeEnabled();
  await page.screenshot({ path: path.join(shots, 'demo-teach.png'), fullPage: true });
  expect(errors).toEqual([]);
});
