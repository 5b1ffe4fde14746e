import { defineConfig } from '@playwright/test';
import { chromiumArgs } from '../playwright.config.ts';

/** `npm run test:consumers`: the packed package in apps built by each bundler (see consumers.spec.ts). */
export default defineConfig({
  testDir: '.',
  testMatch: 'consumers.spec.ts',
  globalSetup: './setup.ts',
  timeout: 5 * 60_000,
  workers: 1, // the apps' model runs use every core
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs },
  },
});
