/**
 * `dist/` builds (ES module, script tag, worker) load the WordNet table from
 * `resnet-web.wordnet.js` beside the bundle, the first time `groups` or `hypernyms` need it:
 * the script tag's bundle stays small, and pages that never use groups never fetch it.
 */
import { bundleUrl } from './ort-loader-dist.ts';

export const importWordnetTable = (): Promise<{ WORDNET_TABLE: string }> =>
  import(/* @vite-ignore */ new URL('resnet-web.wordnet.js', bundleUrl).href) as Promise<{ WORDNET_TABLE: string }>;
