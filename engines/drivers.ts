/**
 * One small interface over the three engines' drivers, for the cross-engine suite:
 * - Chromium: Playwright (Debian's Chromium, as the rest of the e2e tests);
 * - Firefox: puppeteer-core over WebDriver BiDi (Debian's firefox-esr; Playwright's BiDi client
 *   needs a newer Firefox than the ESR);
 * - WebKit: selenium-webdriver against WebKitGTK's WebKitWebDriver and its MiniBrowser, on a
 *   virtual X display (xvfb-run), since MiniBrowser has no headless mode.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { chromium } from '@playwright/test';
import puppeteer from 'puppeteer-core';
import { Builder } from 'selenium-webdriver';
import { chromiumArgs, chromiumPath } from '../playwright.config.ts';

export type EngineName = 'chromium' | 'firefox' | 'webkit';

export interface Engine {
  name: EngineName;
  /** The browser's own version string. */
  version: string;
  /** Navigates the one page (one profile: its Cache Storage persists across calls). */
  open(url: string): Promise<void>;
  /** Evaluates a JavaScript expression in the page; a promise is awaited. Returns plain data. */
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const MINIBROWSER = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const SCRIPT_TIMEOUT_MS = 5 * 60_000;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.on('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function launchChromium(): Promise<Engine> {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const page = await browser.newPage();
  page.setDefaultTimeout(SCRIPT_TIMEOUT_MS);
  if (process.env.ENGINES_DEBUG) page.on('console', (m) => console.log(`[chromium] ${m.text()}`));
  page.on('crash', () => console.error('[chromium] the page crashed'));
  return {
    name: 'chromium',
    version: browser.version(),
    open: async (url) => void (await page.goto(url)),
    evaluate: (expression) => page.evaluate(expression),
    close: () => browser.close(),
  };
}

async function launchFirefox(): Promise<Engine> {
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  const page = await browser.newPage();
  page.setDefaultTimeout(SCRIPT_TIMEOUT_MS);
  return {
    name: 'firefox',
    version: await browser.version(),
    open: async (url) => void (await page.goto(url)),
    evaluate: (expression) => page.evaluate(expression) as Promise<never>,
    close: () => browser.close(),
  };
}

async function launchWebKit(): Promise<Engine> {
  const port = await freePort();
  // Its own process group, so that closing ends Xvfb, the driver and MiniBrowser together.
  const driverProcess: ChildProcess = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`], { detached: true, stdio: 'ignore' });
  const server = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (await fetch(`${server}/status`).then((r) => r.ok, () => false)) break;
    if (i > 100 || driverProcess.exitCode !== null) throw new Error(`WebKitWebDriver did not start on ${server}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const driver = await new Builder()
    .usingServer(server)
    .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } })
    .build();
  await driver.manage().setTimeouts({ script: SCRIPT_TIMEOUT_MS, pageLoad: 60_000 });
  const capabilities = await driver.getCapabilities();
  return {
    name: 'webkit',
    version: `WebKitGTK ${capabilities.getBrowserVersion()}`,
    open: (url) => driver.get(url),
    evaluate: (expression) => driver.executeScript(`return (${expression});`),
    close: async () => {
      await driver.quit().catch(() => undefined);
      try {
        process.kill(-driverProcess.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

export function launch(name: EngineName): Promise<Engine> {
  return { chromium: launchChromium, firefox: launchFirefox, webkit: launchWebKit }[name]();
}
