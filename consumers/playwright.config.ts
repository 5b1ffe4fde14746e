import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../playwright.config.ts';

/**
 * `npm run test:consumers`: the packed package in apps built by each bundler (consumers.spec.ts),
 * then the cross-engine suite in Chromium, Firefox and WebKit (engines/engines.spec.ts), which
 * also opens one of those apps. One setup builds the package and the apps for both.
 */
export default defineConfig({
  testDir: '..',
  testMatch: ['consumers/consumers.spec.ts', 'engines/engines.spec.ts'],
  globalSetup: './setup.ts',
  timeout: 5 * 60_000,
  workers: 1, // the apps' model runs use every core
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
  },
});
