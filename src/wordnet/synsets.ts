/**
 * ImageNet-1k's classes in WordNet 3.0: coarse groups ("dog", "vehicle", "n07707451") resolved to
 * the classes under them, and each class's ancestors (hypernyms.ts). The table is generated from
 * WordNet's data files (scripts/build-wordnet.ts, into table.ts); nothing is looked up at run time. `groups`
 * imports it the first time it is needed (`loadWordnet`), so where nothing imports
 * `hypernyms` (the classifier's worker, an app that tree-shakes it away) it is a chunk of its
 * own (29 KB gzipped) that pages without groups never load.
 */
import { closeMatches, didYouMean } from '../common/names.ts';
import { importWordnetTable } from './loader.ts';

/** The number of ImageNet-1k classes the table covers (class indices 0…999). */
export const IMAGENET_CLASSES = 1000;

/** A WordNet 3.0 noun synset. */
export interface Synset {
  /** WordNet id: `'n'` + the 8-digit offset, as in ImageNet (`'n02084071'`). */
  id: string;
  /** Its lemmas, most common first (`['dog', 'domestic dog', 'Canis familiaris']`). */
  names: string[];
}

interface Node extends Synset {
  parents: number[];
  /** Lowercased lemmas that name this synset first among the table's (the others have a lower sense). */
  owns: string[];
}

interface Table {
  nodes: Node[];
  byId: Map<string, number>;
  byName: Map<string, number>;
  /** Per class: every node at or above it. */
  above: Set<number>[];
}

let table: Table | null = null;
let loading: Promise<Table> | null = null;

const key = (name: string) => name.trim().toLowerCase().replaceAll('_', ' ').replace(/\s+/g, ' ');

/** The table's text, where a module that imports it statically (hypernyms.ts) is in the bundle. */
let bundled: string | null = null;
export function provideTable(text: string): void {
  bundled ??= text;
}

/** Indexes the table, once. */
export function useTable(text: string): Table {
  table ??= index(text);
  return table;
}

/** Indexes the table, once: the bundled one if there is one, else imported (its own chunk). */
export function loadWordnet(): Promise<Table> {
  loading ??= bundled ? Promise.resolve(useTable(bundled)) : importWordnetTable().then(({ WORDNET_TABLE }) => useTable(WORDNET_TABLE));
  return loading;
}

/** Whether the table is loaded (so that `resolveGroups` and `imagenetClassOf` can run). */
export const wordnetLoaded = (): boolean => table !== null;

/** The table, once `loadWordnet()` has settled. */
function load(): Table {
  if (!table) throw new Error('resnet-web: the WordNet table was used before loadWordnet() settled');
  return table;
}

function index(WORDNET_TABLE: string): Table {
  const nodes: Node[] = WORDNET_TABLE.split('\n').map((line) => {
    const [offset, lemmas, parents] = line.split(' ');
    const all = lemmas.split(',').map((l) => l.replaceAll('_', ' '));
    return {
      id: `n${offset}`,
      names: all.map((l) => l.replace(/^~/, '')),
      owns: all.filter((l) => !l.startsWith('~')).map(key),
      parents: parents ? parents.split(',').map(Number) : [],
    };
  });
  const byId = new Map(nodes.map((n, i) => [n.id, i]));
  const byName = new Map<string, number>();
  nodes.forEach((n, i) => n.owns.forEach((l) => byName.set(l, i)));
  const above = Array.from({ length: IMAGENET_CLASSES }, (_, c) => {
    const seen = new Set<number>([c]);
    const todo = [c];
    while (todo.length) {
      for (const p of nodes[todo.pop()!].parents) {
        if (!seen.has(p)) {
          seen.add(p);
          todo.push(p);
        }
      }
    }
    return seen;
  });
  return { nodes, byId, byName, above };
}

export function checkClass(classIndex: number): void {
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= IMAGENET_CLASSES) {
    throw new RangeError(`classIndex must be an ImageNet-1k class index, an integer from 0 to 999, got ${String(classIndex)}`);
  }
}

const synset = (n: Node): Synset => ({ id: n.id, names: [...n.names] });

/** The WordNet synset of an ImageNet-1k class (after the table is loaded). */
export function classSynset(classIndex: number): Synset {
  checkClass(classIndex);
  return synset(load().nodes[classIndex]);
}

/** The class index of an ImageNet-1k WordNet id (`'n02111889'` → 258), or -1 (after `loadWordnet()`). */
export function imagenetClassOf(id: string): number {
  const i = load().byId.get(id.trim().toLowerCase()) ?? -1;
  return i < IMAGENET_CLASSES ? i : -1;
}

/** Every ancestor of an ImageNet-1k class, nearest first, breadth first (after the table is loaded). */
export function ancestors(classIndex: number): Synset[] {
  checkClass(classIndex);
  const { nodes } = load();
  const out: Synset[] = [];
  const seen = new Set([classIndex]);
  let level = [classIndex];
  while (level.length) {
    const next: number[] = [];
    for (const i of level) {
      for (const p of nodes[i].parents) {
        if (seen.has(p)) continue;
        seen.add(p);
        next.push(p);
        out.push(synset(nodes[p]));
      }
    }
    level = next;
  }
  return out;
}

/** A coarse group resolved against the table. */
export interface ResolvedGroup {
  /** The name as the caller wrote it. */
  name: string;
  /** Its synset id. */
  synset: string;
  /** The ImageNet-1k classes it counts (under it and under no earlier group of the list). */
  classes: number[];
}

/** The table's synset for a group name (a lemma, any case, or a synset id), or `null`. */
function findGroup(name: string): number | null {
  const t = load();
  const k = key(name);
  if (/^n\d{8}$/.test(k)) return t.byId.get(k) ?? null;
  return t.byName.get(k) ?? null;
}

/**
 * Resolves group names to classes. A class counts toward the first group of the list it falls
 * under, so `['dog', 'cat', 'mammal']` makes "mammal" mean the other mammals. An unknown name is
 * a `RangeError` naming up to three close matches. Call after `loadWordnet()` has settled.
 */
export function resolveGroups(names: readonly string[]): ResolvedGroup[] {
  if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string')) {
    throw new TypeError('groups must be a non-empty array of WordNet lemmas or synset ids, e.g. ["dog", "cat", "vehicle"]');
  }
  const t = load();
  const nodes = names.map((name) => {
    const n = findGroup(name);
    if (n !== null) return n;
    const hint = /^n\d{8}$/i.test(name.trim())
      ? 'it is not an ImageNet-1k class or an ancestor of one in WordNet 3.0'
      : `it is not a WordNet lemma of an ImageNet-1k class or of its ancestors${didYouMean(closeMatches(key(name), [...t.byName.keys()]))}`;
    throw new RangeError(`unknown group "${name}": ${hint}`);
  });
  const taken = new Uint8Array(IMAGENET_CLASSES);
  return nodes.map((node, g) => {
    const classes: number[] = [];
    for (let c = 0; c < IMAGENET_CLASSES; c++) {
      if (!taken[c] && t.above[c].has(node)) {
        taken[c] = 1;
        classes.push(c);
      }
    }
    return { name: names[g], synset: t.nodes[node].id, classes };
  });
}
