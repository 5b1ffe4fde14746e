/**
 * npm run wordnet → src/wordnet/table.ts: the WordNet 3.0 hypernym table of ImageNet-1k's 1000
 * classes, built from Debian's `wordnet-base` data files (`apt-get install wordnet-base`), so
 * that `groups` and `hypernyms()` need no WordNet, and no network, at run time.
 *
 * The table is one string, a line per synset: first the 1000 classes in class-index order, then
 * every ancestor of theirs (hypernyms and instance hypernyms, up to `entity`), nearest first:
 *
 *     <offset> <lemma>,<lemma>,… <parent line>,<parent line>,…
 *
 * Lemmas have `_` turned into spaces. A lemma prefixed `~` names another synset of the table
 * first (a lower WordNet sense number): group names resolve to the synset without the `~`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const WORDNET_DIR = '/usr/share/wordnet';

interface Synset {
  lemmas: string[];
  parents: string[];
}

/** data.noun → offset → lemmas + hypernym offsets (`@` and `@i`). */
function readSynsets(dir: string): Map<string, Synset> {
  const synsets = new Map<string, Synset>();
  for (const line of readFileSync(path.join(dir, 'data.noun'), 'latin1').split('\n')) {
    if (!line || line.startsWith(' ')) continue; // licence header
    const f = line.split(' | ')[0].split(' ');
    const words = parseInt(f[3], 16);
    const lemmas = Array.from({ length: words }, (_, i) => f[4 + 2 * i].replaceAll('_', ' '));
    let p = 4 + 2 * words;
    const pointers = Number(f[p++]);
    const parents: string[] = [];
    for (let i = 0; i < pointers; i++, p += 4) {
      if ((f[p] === '@' || f[p] === '@i') && f[p + 2] === 'n') parents.push(f[p + 1]);
    }
    synsets.set(f[0], { lemmas, parents });
  }
  return synsets;
}

/** index.noun → lowercased lemma → its synset offsets, most frequent sense first. */
function readSenses(dir: string): Map<string, string[]> {
  const senses = new Map<string, string[]>();
  for (const line of readFileSync(path.join(dir, 'index.noun'), 'latin1').split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    const f = line.trim().split(' ');
    const count = Number(f[2]);
    senses.set(f[0].replaceAll('_', ' '), f.slice(f.length - count));
  }
  return senses;
}

/** The table for `classIds` (`n01440764`, … in class-index order), from the WordNet files in `dir`. */
export function buildWordnetTable(classIds: readonly string[], dir = WORDNET_DIR): string {
  const synsets = readSynsets(dir);
  const senses = readSenses(dir);
  const order = classIds.map((id) => {
    if (!/^n\d{8}$/.test(id) || !synsets.has(id.slice(1))) throw new Error(`${id} is not a WordNet 3.0 noun synset`);
    return id.slice(1);
  });
  // Ancestors breadth first, so that nearer ones come first.
  const line = new Map(order.map((o, i) => [o, i]));
  if (line.size !== order.length) throw new Error('a synset is listed twice');
  for (let i = 0; i < order.length; i++) {
    for (const parent of synsets.get(order[i])!.parents) {
      if (!line.has(parent)) {
        line.set(parent, order.length);
        order.push(parent);
      }
    }
  }
  // How many classes are under each synset of the table.
  const under = new Map<string, number>();
  for (const cls of order.slice(0, classIds.length)) {
    const seen = new Set([cls]);
    const todo = [cls];
    while (todo.length) {
      for (const p of synsets.get(todo.pop()!)!.parents) {
        if (!seen.has(p)) {
          seen.add(p);
          todo.push(p);
        }
      }
    }
    for (const s of seen) under.set(s, (under.get(s) ?? 0) + 1);
  }
  // Which synset of the table a lemma names when it names several ("amphibian": the animal, with
  // 6 classes, or the amphibious vehicle, with 1): the one with the most classes under it, then
  // the lowest WordNet sense number.
  const first = new Map<string, string>();
  for (const offset of order) {
    for (const lemma of synsets.get(offset)!.lemmas) {
      const key = lemma.toLowerCase();
      if (first.has(key)) continue;
      const ranked = senses.get(key) ?? [];
      const rank = (o: string) => (ranked.includes(o) ? ranked.indexOf(o) : ranked.length);
      const named = order.filter((o) => synsets.get(o)!.lemmas.some((l) => l.toLowerCase() === key));
      named.sort((x, y) => under.get(y)! - under.get(x)! || rank(x) - rank(y));
      first.set(key, named[0]);
    }
  }
  return order
    .map((offset) => {
      const s = synsets.get(offset)!;
      const lemmas = s.lemmas.map((l) => {
        if (/[,~_]/.test(l)) throw new Error(`lemma "${l}" has a separator in it`);
        return first.get(l.toLowerCase()) === offset ? l : `~${l}`;
      });
      return `${offset} ${lemmas.join(',').replaceAll(' ', '_')} ${s.parents.map((p) => line.get(p)).join(',')}`;
    })
    .join('\n');
}

/** WordNet's licence, which asks to appear on all copies: the header of data.noun. */
function licence(dir: string): string {
  return readFileSync(path.join(dir, 'data.noun'), 'latin1')
    .split('\n')
    .filter((l) => l.startsWith('  '))
    .map((l) => ` * ${l.replace(/^\s*\d+ /, '').trimEnd()}`.trimEnd())
    .join('\n');
}

/** The source file that holds the table. */
export function wordnetModule(table: string, dir = WORDNET_DIR): string {
  const version = 'WordNet 3.0 (Debian wordnet-base)';
  return `/*! @license WordNet 3.0 (its licence asks to appear on all copies)
${licence(dir)}
 */

/**
 * Generated by scripts/build-wordnet.ts (npm run wordnet) from ${version}; do not edit.
 * The hypernym table of ImageNet-1k's 1000 classes: see that script for the format.
 */
export const WORDNET_SOURCE = ${JSON.stringify(version)};

export const WORDNET_TABLE = ${JSON.stringify(table)};
`;
}

export function imagenetSynsetIds(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[0]);
}

export const SYNSETS_FILE = path.resolve(import.meta.dirname, '../test/data/models/imagenet-synsets.txt');
export const TABLE_FILE = path.resolve(import.meta.dirname, '../src/wordnet/table.ts');

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const table = buildWordnetTable(imagenetSynsetIds(SYNSETS_FILE));
  writeFileSync(TABLE_FILE, wordnetModule(table));
  console.log(`${path.relative(process.cwd(), TABLE_FILE)}: ${table.split('\n').length} synsets, ${table.length} characters`);
}
