/**
 * Memory given back, as the operating system sees it, with dist/ (the built package) on a
 * cross-origin isolated page: create/classify/dispose cycles do not grow the tab without bound.
 * (reliability.spec.ts checks the same cycles from inside: JS heap, WebAssembly memory, GPU
 * buffers, and that no classifier worker is left.) The tab's memory is the PSS
 * of this file's own Chromium's renderer processes (told apart by a JS flag only this file's
 * browser is given), after a garbage collection in the page and its workers. The long version
 * (50 cycles, 10 minutes of watch, the table per model): `npm run bench:memory`, figures in
 * docs/measured/memory.md.
 */
import type { Page } from '@playwright/test';
import { chromiumArgs, chromiumPath, staticPort } from '../playwright.config.ts';
import { collectGarbage, procMemory, processesWith } from '../bench/proc-memory.ts';
import { expect, serveImages, test } from './fixtures.ts';

/** --stack-size=984 is V8's default on x64: a flag that changes nothing and marks this browser's renderers. */
const MARK = '--stack-size=984';
test.use({ launchOptions: { executablePath: chromiumPath, args: [...chromiumArgs, `--js-flags=--expose-gc ${MARK}`] } });

declare global {
  interface Window {
    memory: { cycle(worker: boolean): Promise<string> };
  }
}

async function open(page: Page): Promise<void> {
  await serveImages(page);
  await page.goto(`http://localhost:${staticPort}/csp/e2e/pages/memory.html`);
  await page.waitForFunction(() => !!window.memory);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  expect(await page.evaluate(() => typeof (globalThis as { gc?: unknown }).gc)).toBe('function');
}

/** PSS of this browser's renderers in MB, after a garbage collection in the page and its workers. */
async function tabMB(page: Page): Promise<number> {
  await collectGarbage(page);
  return procMemory(processesWith('--type=renderer', MARK)).tab / 1024;
}

// The page's thread keeps the runtime (its WebAssembly memory never shrinks): after the first
// cycle, the next ones reuse it. A worker's runtime goes with the worker; Chromium keeps part of
// each ended worker's memory (measured: it levels off after ~20 cycles, see docs/measured/memory.md),
// so the worker path is held to a looser bound, still far below one classifier's memory a cycle.
for (const [worker, bound] of [[false, 1.1], [true, 1.5]] as const) {
  test(`12 create/classify/dispose cycles (${worker ? 'worker' : 'page'}) end within ${Math.round((bound - 1) * 100)} % of the tab's memory after the first`, async ({ page }) => {
    await open(page);
    expect(await page.evaluate((w) => window.memory.cycle(w), worker)).toBe('ship');
    const first = await tabMB(page);
    const seen: number[] = [];
    for (let i = 2; i <= 12; i++) {
      expect(await page.evaluate((w) => window.memory.cycle(w), worker)).toBe('ship');
      if (i % 4 === 0) seen.push(await tabMB(page));
    }
    console.log(`tab PSS (MB), ${worker ? 'worker' : 'page'}: after the first cycle ${first.toFixed(0)}, then ${seen.map((m) => m.toFixed(0)).join(', ')}`);
    expect(first).toBeGreaterThan(20); // the processes were found
    expect(seen.at(-1)!).toBeLessThan(first * bound);
  });
}
