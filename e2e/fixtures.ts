/** Shared e2e helpers: the test-image route, the harness page, reference data. */
import { test as base, expect, type Page } from '@playwright/test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The repository's test photos (test/data/images, see test/data/SOURCES.md), or $TEST_IMAGES. */
export const IMAGES = path.resolve(process.env.TEST_IMAGES ?? path.join(import.meta.dirname, '../test/data/images'));
if (!existsSync(IMAGES)) throw new Error(`test images not found at ${IMAGES} (TEST_IMAGES)`);

export interface Reference {
  imagenet: Record<string, {
    synset: string;
    input_channel_mean: [number, number, number];
    resnet56_cifar10_top5_resized: [number, number][];
    class_index: number;
    mobilenetv2_int8_top5: number[];
    mobilenetv2_int8_ortnode_top5: [number, number][];
  }>;
  cifar10: Record<string, { label: string; resnet20_top5: [number, number][]; resnet56_top5: [number, number][] }>;
}
/** The reference pipeline's outputs for the photos (test/data/reference.json). */
export const reference: Reference = JSON.parse(readFileSync(path.join(import.meta.dirname, '../test/data/reference.json'), 'utf8'));

/** The project's model folder, filled by `npm run models`. */
export const MODELS_DIR = path.resolve(import.meta.dirname, '../public/models');

/** The classic/ photos and the ImageNet class(es) each shows (the tabby may be tabby or tiger cat). */
export const CLASSIC: Record<string, number[]> = {
  'pytorch-hub-dog.jpg': [258],
  'trt5-binoculars.jpeg': [447],
  'trt5-reflex_camera.jpeg': [759],
  'trt5-tabby_tiger_cat.jpg': [281, 282],
  'trt5-mug-cc0.jpeg': [504],
};

/** File names under images/<dir>, sorted. */
export const listImages = (dir: string): string[] => readdirSync(path.join(IMAGES, dir)).sort();
/** A CIFAR-10 test photo that the CIFAR models label "ship". */
export const SHIP = '/test-images/cifar10/ship/0003.jpg';

const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.gif': 'image/gif',
};

/** Serves the test photos at /test-images/. */
export async function serveImages(page: Page): Promise<void> {
  await page.route('**/test-images/**', async (route) => {
    const rel = decodeURIComponent(new URL(route.request().url()).pathname.replace(/^\/test-images\//, ''));
    const file = path.join(IMAGES, rel);
    if (!file.startsWith(IMAGES) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({
      status: 200,
      body: readFileSync(file),
      headers: {
        'content-type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'cross-origin-resource-policy': 'same-origin',
      },
    });
  });
}

export const test = base.extend<{ harness: Page }>({
  harness: async ({ page }, use) => {
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') console.log(`[page ${m.type()}] ${m.text()}`);
    });
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    await serveImages(page);
    await page.goto('/e2e/harness.html');
    await page.waitForFunction(() => window.harnessReady === true);
    await use(page);
  },
});
export { expect };
