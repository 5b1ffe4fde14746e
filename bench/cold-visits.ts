/**
 * The bench's cold starts (bench/run.ts): page load → first result of a cold page (window.cold),
 * a first and a returning visit per fresh browser context, and the "Cold start, stage by stage"
 * table. A context is Playwright's default (`'memory'`: off the record, its Cache Storage and HTTP
 * cache in memory) or a new on-disk profile (`'disk'`), as a user's browser has.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromiumArgs, chromiumPath } from '../playwright.config.ts';
import { callTimeoutMs, median, ms, ratio, within, type ColdResult } from './shared.ts';

export type ColdProfile = 'memory' | 'disk';
/** Each page's first and returning visits. */
export type Visits = Record<string, { fresh: ColdResult[]; cached: ColdResult[] }>;
/** One model × backend of the stage table. */
export interface ColdRow { model: string; backend: string; runs: number; visits: Visits }

const MINUTE = 60_000;

/** One page load in `page` until its first result (window.cold), within the backend's limit. */
async function visit(page: Page, url: string, backend: string): Promise<ColdResult> {
  const limit = 2 * callTimeoutMs(backend as 'wasm' | 'webgpu');
  await within(MINUTE, `loading ${url}`, page.goto(url));
  await page.waitForFunction(() => window.cold !== undefined || window.coldError !== undefined, null, { timeout: limit }).catch(() => {
    throw new Error(`bench: the cold start at ${url} gave no result within ${limit / 1000} s`);
  });
  const r = await page.evaluate(() => ({ cold: window.cold, error: window.coldError }));
  if (r.error) throw new Error(`${url}: ${r.error}`);
  return r.cold!;
}

/**
 * First visits (a fresh browser context, in `profile`: empty HTTP cache and Cache Storage) and
 * returning visits (the same context again) of each page, taken in turns.
 */
export async function coldVisits(
  browser: Browser, profile: ColdProfile, log: (s: string) => void,
  urls: Record<string, string>, backend: string, runs: number,
): Promise<Visits> {
  const out: Visits = {};
  for (let i = 0; i < runs; i++) {
    for (const [name, url] of Object.entries(urls)) {
      out[name] ??= { fresh: [], cached: [] };
      const dir = profile === 'disk' ? mkdtempSync(path.join(os.tmpdir(), 'bench-profile-')) : null;
      const context = dir
        ? await within(MINUTE, 'launching Chromium on a new profile', chromium.launchPersistentContext(dir, { executablePath: chromiumPath, args: chromiumArgs }))
        : await browser.newContext();
      try {
        const page = await context.newPage();
        page.on('pageerror', (e) => log(`  [page error] ${e.message}`));
        out[name].fresh.push(await visit(page, url, backend));
        out[name].cached.push(await visit(page, url, backend));
      } finally {
        await context.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  return out;
}

/** The "Cold start, stage by stage" section of bench/results.md. */
export function coldStageLines(rows: ColdRow[], profile: ColdProfile): string[] {
  const lines = ['', '## Cold start, stage by stage', '',
    'Page load → first result of `classify(url)` on the bench photo, medians of first visits (a fresh browser context' +
    (profile === 'disk' ? ' on a new on-disk profile' : ' (Playwright\'s default: off the record, its caches in memory)') + ': nothing in the HTTP cache or ' +
    'Cache Storage) and returning visits (the same context again: the model in Cache Storage, the runtime in the HTTP cache), the pages taken in turns. ' +
    '"raw": a hand-written page on the same onnxruntime-web build and session options (bench/raw-cold.ts: import, read the model from Cache Storage ' +
    'or download it, create the session, the photo by the browser\'s resize, run), one step after the other. "worker": `createClassifier()` (the default); ' +
    '"page": `worker: false`; "worker, fp16/int8": the default path with `precision` set (the smaller files of `npm run models -- --precision fp16,int8`). SDK stages are `classifier.loadTimings`: they overlap (the runtime starts while the model is read), so they do not add up; ' +
    '"script" is navigation → the page\'s module. "warm": a classify (raw: a run) after the first.', ''];
  for (const r of rows) {
    const med = (xs: ColdResult[], k?: string) => median(xs.map((x) => (k ? x.stages[k] : x.total)).filter((v) => Number.isFinite(v)));
    const raw = r.visits.raw;
    lines.push(`**${r.model} on ${r.backend}** (n=${r.runs})`, '');
    lines.push('| page | first visit | / raw | returning visit | / raw | warm classify | returning / warm |');
    lines.push('|---|---|---|---|---|---|---|');
    for (const [name, v] of Object.entries(r.visits)) {
      const warm = med(v.cached, name === 'raw' ? 'warm run' : 'warm classify');
      lines.push(`| ${name} | ${ms(med(v.fresh))} | ${ratio(med(v.fresh), med(raw.fresh))} | ${ms(med(v.cached))} | ${ratio(med(v.cached), med(raw.cached))} | ` +
        `${ms(warm)} | ${ratio(med(v.cached), warm)} |`);
    }
    const names = Object.keys(r.visits);
    const keys = [...new Set(names.flatMap((name) => [...r.visits[name].fresh, ...r.visits[name].cached].flatMap((x) => Object.keys(x.stages))))];
    lines.push('', `| stage | ${names.map((n) => `${n}: first | ${n}: returning`).join(' | ')} |`);
    lines.push(`|---|${names.map(() => '---|---|').join('')}`);
    for (const k of keys) {
      const cells = names.map((n) => {
        const f = med(r.visits[n].fresh, k);
        const c = med(r.visits[n].cached, k);
        return `${f.n ? ms(f) : ''} | ${c.n ? ms(c) : ''}`;
      });
      lines.push(`| ${k} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  return lines;
}
