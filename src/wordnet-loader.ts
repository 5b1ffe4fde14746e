/** Imports the WordNet table (a chunk of its own for bundlers; `dist/` swaps in wordnet-loader-dist.ts). */
export const importWordnetTable = (): Promise<{ WORDNET_TABLE: string }> => import('./wordnet-table.ts');
