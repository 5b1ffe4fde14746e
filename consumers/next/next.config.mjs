import path from 'node:path';

export default {
  // The app imports ../shared/run.js: the root is the consumers folder (one lockfile there).
  turbopack: { root: path.join(import.meta.dirname, '..') },
  /** WASM threads need a cross-origin isolated page. */
  async headers() {
    return [{
      source: '/:path*',
      headers: [
        { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
        { key: 'Cross-Origin-Embedder-Policy', value: 'require-corp' },
      ],
    }];
  },
};
