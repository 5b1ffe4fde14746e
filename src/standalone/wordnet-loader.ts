/**
 * `dist/` builds load the WordNet table from `resnet-web.wordnet.js` beside the bundle, the first
 * time `groups` need it, where the bundle does not hold it already: the worker's (the page's
 * bundles export `hypernyms`, which holds the table). Pages that never use groups never fetch it.
 */
import { bundleUrl } from './bundle-url.ts';

export const importWordnetTable = (): Promise<{ WORDNET_TABLE: string }> =>
  import(/* @vite-ignore */ new URL('resnet-web.wordnet.js', bundleUrl).href) as Promise<{ WORDNET_TABLE: string }>;
