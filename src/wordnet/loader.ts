/** Imports the WordNet table (a chunk of its own for bundlers; `dist/` swaps in standalone/wordnet-loader.ts). */
export const importWordnetTable = (): Promise<{ WORDNET_TABLE: string }> => import('./table.ts');
