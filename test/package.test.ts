/**
 * The package in Node (server-side rendering, tests, build tools): importing it must not touch
 * window, navigator or self, and the entry points export what the README says.
 */
import { describe, expect, it } from 'vitest';

describe('importing the package in Node', () => {
  it('the main entry loads with no browser globals and exports the API', async () => {
    for (const g of ['window', 'document', 'self']) expect(g in globalThis, g).toBe(false);
    const sdk = await import('../src/index.ts');
    expect(Object.keys(sdk).sort()).toEqual([
      'ClassifierError', 'DEFAULTS', 'DEFAULT_DUPLICATE_THRESHOLD', 'DEFAULT_MODEL', 'MODELS', 'cachedModels', 'classify', 'clearModelCache', 'compactFileName',
      'cosineSimilarity', 'createClassifier', 'findDuplicates',
      'hypernymSynsets', 'hypernyms', 'imagenetSynset', 'isClassifierError', 'modelCacheSize', 'modelFileSizes', 'modelNames', 'nearest', 'quantizeEmbedding', 'removeCachedModel', 'specFromConfig', 'tagPhotos', 'tagsToCSV', 'tagsToJSON',
    ]);
    expect(sdk.modelNames()).toContain('resnet50');
  });

  it('resnet-web/vite gives a plugin with the settings Vite apps need', async () => {
    const { default: resnetWeb } = await import('../src/vite.ts');
    const plugin = resnetWeb();
    const config = (plugin.config as () => Record<string, unknown>)();
    expect(config).toMatchObject({
      optimizeDeps: { exclude: ['resnet-web', 'onnxruntime-web'] },
      worker: { format: 'es' },
      server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
    });
    const off = (resnetWeb({ crossOriginIsolation: false }).config as () => { server: { headers: object } })();
    expect(off.server.headers).toEqual({});
  });
});
