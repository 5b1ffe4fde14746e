import { defineConfig } from 'astro/config';
import resnetWeb from 'resnet-web/vite';

export default defineConfig({ vite: { plugins: [resnetWeb()] }, telemetry: false });
