/**
 * `hypernyms(classIndex)`: an ImageNet-1k class's ancestors in WordNet 3.0, at once (the table is
 * imported here statically; `groups` load it on their own where nothing imports this module).
 */
import { ancestors, classSynset, provideTable, useTable, type Synset } from './synsets.ts';
import { WORDNET_TABLE } from './table.ts';

// Where this module is bundled, `groups` use its copy of the table instead of fetching their own.
provideTable(WORDNET_TABLE);

/**
 * Every ancestor of an ImageNet-1k class in WordNet 3.0 (hypernyms and instance hypernyms, up to
 * `entity`), nearest first, by its first lemma: `hypernyms(258)` → `['spitz', 'dog', 'canine',
 * 'domestic animal', …, 'entity']`. A class under two parents (a dog is a canine and a domestic
 * animal) lists both lines. A class index outside 0…999 is a `RangeError`.
 */
export function hypernyms(classIndex: number): string[] {
  return hypernymSynsets(classIndex).map((s) => s.names[0]);
}

/** The same ancestors as {@link hypernyms}, as synsets: `{ id: 'n02084071', names: ['dog', 'domestic dog', 'Canis familiaris'] }`. */
export function hypernymSynsets(classIndex: number): Synset[] {
  useTable(WORDNET_TABLE);
  return ancestors(classIndex);
}

/** The WordNet synset of an ImageNet-1k class: `imagenetSynset(258)` → `{ id: 'n02111889', names: ['Samoyed', 'Samoyede'] }`. */
export function imagenetSynset(classIndex: number): Synset {
  useTable(WORDNET_TABLE);
  return classSynset(classIndex);
}
