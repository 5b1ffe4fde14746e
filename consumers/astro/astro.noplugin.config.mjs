// The same app without the resnet-web/vite plugin: what a user sees before adding it (consumers.spec.ts).
import { defineConfig } from 'astro/config';

export default defineConfig({ telemetry: false, cacheDir: './node_modules/.astro-noplugin', vite: { cacheDir: 'node_modules/.vite-noplugin' } });
