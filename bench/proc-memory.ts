/**
 * Chromium's memory as Linux sees it: the proportional set size (PSS, /proc/PID/smaps_rollup) of
 * its renderer processes (a page, its workers, their JS heaps and WebAssembly memory) and of its
 * GPU process (WebGPU's buffers; in RAM with SwiftShader). PSS shares each shared page among the
 * processes that map it, so processes add up.
 */
import type { Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromiumArgs, chromiumPath } from '../playwright.config.ts';

/** kB of PSS. */
export interface ProcMemory {
  /** The renderer processes: the page and its workers. */
  tab: number;
  /** The GPU process. */
  gpu: number;
}

const pids = () => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // the process is gone
  }
};

/** The PIDs below `rootPid` in the process tree. */
export function descendants(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of pids()) {
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(rootPid);
  return out;
}

/** The renderer and GPU processes' PSS among `among`. */
export function procMemory(among: number[]): ProcMemory {
  const m: ProcMemory = { tab: 0, gpu: 0 };
  for (const pid of among) {
    const cmd = read(`/proc/${pid}/cmdline`);
    const pss = Number(/^Pss:\s+(\d+) kB/m.exec(read(`/proc/${pid}/smaps_rollup`))?.[1] ?? 0);
    if (cmd.includes('--type=renderer')) m.tab += pss;
    else if (cmd.includes('--type=gpu-process')) m.gpu += pss;
  }
  return m;
}

/**
 * A garbage collection in `page` and each of its workers (a browser launched with
 * `--js-flags=--expose-gc`), twice, then a wait: an ended worker's memory goes back lazily.
 */
export async function collectGarbage(page: Page): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const collect = () => (globalThis as { gc?: () => void }).gc?.();
    // onnxruntime-web's WASM threads wait in Atomics.wait and never answer: each gets a second.
    const settle = (p: Promise<unknown>) => Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    await Promise.all([page.evaluate(collect), ...page.workers().map((w) => w.evaluate(collect))].map(settle));
    await new Promise((r) => setTimeout(r, 1500));
  }
}

/** A Chromium of its own on one page, with no DevTools client (see `startBareChromium`). */
interface BareChromium {
  /** Its memory now. */
  memory(): ProcMemory;
  /** Settles with its exit code when it ends. */
  exited: Promise<number | null>;
  /** Ends it and deletes its profile. */
  close(): Promise<void>;
}

/**
 * Starts Chromium on `url` in a fresh profile, with `--expose-gc`, and no DevTools client: a
 * Playwright-driven browser has an agent in every worker a page starts (to list them), and what
 * that agent keeps of each ended worker would count as the SDK's memory. The page drives itself.
 */
function startBareChromium(url: string): BareChromium {
  const profile = mkdtempSync(path.join(tmpdir(), 'resnet-web-chromium-'));
  // Its own process group, so that closing it ends every process it started.
  const child = spawn(chromiumPath, [...chromiumArgs, '--js-flags=--expose-gc', `--user-data-dir=${profile}`, url], { stdio: 'ignore', detached: true });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    memory: () => procMemory(descendants(child.pid!)),
    exited,
    async close() {
      const all = [child.pid!, ...descendants(child.pid!)];
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
      for (let i = 0; i < 50 && all.some((pid) => read(`/proc/${pid}/stat`) !== ''); i++) await new Promise((r) => setTimeout(r, 100));
      rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    },
  };
}

/**
 * A page that drives itself in a Chromium of its own (`startBareChromium`) and reports on
 * `/__mark?at=…`: a point to measure (the browser's memory is read before the answer, while the
 * page waits for it), `done` at the end, or `error: …`. Serve `handle` beside the page's files.
 */
export class MarkedPage {
  private onMark: ((at: string) => void) | null = null;

  /** Answers a `/__mark` request and returns `true`; `false` for any other request. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/__mark') return false;
    this.onMark?.(url.searchParams.get('at') ?? '');
    res.end('ok');
    return true;
  };

  /**
   * Opens `url`; resolves, once the page says `done`, with the memory at each of its points in
   * order. `bound` limits the wait (a time limit); the browser is closed whatever the outcome.
   */
  async run(
    url: string,
    opts: { onPoint?: (at: string, m: ProcMemory) => void; bound?: (work: Promise<void>) => Promise<void> } = {},
  ): Promise<Map<string, ProcMemory>> {
    const points = new Map<string, ProcMemory>();
    const browser = startBareChromium(url);
    const done = new Promise<void>((resolve, reject) => {
      this.onMark = (at) => {
        if (at === 'done') return resolve();
        if (at.startsWith('error')) return reject(new Error(`the page: ${at}`));
        const m = browser.memory();
        points.set(at, m);
        opts.onPoint?.(at, m);
      };
      void browser.exited.then((code) => reject(new Error(`Chromium exited (${code}) before the page was done`)));
    });
    try {
      await (opts.bound ? opts.bound(done) : done);
    } finally {
      this.onMark = null;
      await browser.close();
    }
    return points;
  }
}
