/** The WordNet table: made from WordNet's own files, and what `hypernyms` and `groups` read from it. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWordnetTable, imagenetSynsetIds, SYNSETS_FILE, TABLE_FILE, WORDNET_DIR, wordnetModule } from '../scripts/build-wordnet.ts';
import { hypernyms, hypernymSynsets, imagenetSynset } from '../src/wordnet/hypernyms.ts';
import { loadWordnet, resolveGroups, wordnetLoaded } from '../src/wordnet/synsets.ts';

it('the table is indexed on first use: loaded by groups, or by hypernyms() at once', async () => {
  expect(wordnetLoaded()).toBe(false);
  expect(() => resolveGroups(['dog'])).toThrow(/before loadWordnet/);
  expect(hypernyms(258)[0]).toBe('spitz'); // synchronous: the table is imported by hypernyms.ts
  expect(wordnetLoaded()).toBe(true);
  await loadWordnet(); // groups reuse it
  expect(resolveGroups(['dog'])[0].classes).toHaveLength(118);
});

describe('the WordNet table', () => {
  beforeAll(() => loadWordnet());
  it('is what scripts/build-wordnet.ts makes from Debian wordnet-base (committed file up to date)', () => {
    expect(existsSync(`${WORDNET_DIR}/data.noun`), `no ${WORDNET_DIR}/data.noun: apt-get install wordnet-base`).toBe(true);
    const table = buildWordnetTable(imagenetSynsetIds(SYNSETS_FILE));
    expect(readFileSync(TABLE_FILE, 'utf8')).toBe(wordnetModule(table));
    expect(table.split('\n')).toHaveLength(1860); // the 1000 classes and their 860 ancestors
  });

  it('lists each class as its ImageNet synset, in class-index order', () => {
    const ids = imagenetSynsetIds(SYNSETS_FILE);
    for (const i of [0, 258, 281, 504, 999]) expect(imagenetSynset(i).id).toBe(ids[i]);
    expect(imagenetSynset(258)).toEqual({ id: 'n02111889', names: ['Samoyed', 'Samoyede'] });
  });

  it('hypernyms: every ancestor, nearest first, both lines of a class under two parents', () => {
    const samoyed = hypernyms(258);
    expect(samoyed[0]).toBe('spitz');
    expect(samoyed[1]).toBe('dog');
    expect(samoyed).toEqual(expect.arrayContaining(['canine', 'domestic animal', 'carnivore', 'mammal', 'animal', 'organism', 'entity']));
    expect(samoyed.at(-1)).toBe('entity');
    expect(new Set(samoyed).size).toBe(samoyed.length);
    expect(hypernyms(504)).toEqual(expect.arrayContaining(['mug', 'drinking vessel', 'container'])); // coffee mug
    expect(hypernymSynsets(258)[1]).toEqual({ id: 'n02084071', names: ['dog', 'domestic dog', 'Canis familiaris'] });
    for (const bad of [-1, 1000, 1.5, NaN]) expect(() => hypernyms(bad)).toThrow(RangeError);
  });
});

describe('groups', () => {
  beforeAll(() => loadWordnet());
  it('a lemma (any case, spaces or underscores) or a synset id; the sense with the most classes wins', () => {
    const [dog, byId, spaced] = [resolveGroups(['Dog']), resolveGroups(['n02084071']), resolveGroups(['musical_instrument'])];
    expect(dog[0]).toMatchObject({ name: 'Dog', synset: 'n02084071' });
    expect(dog[0].classes).toHaveLength(118); // ImageNet's dog breeds: 151…268
    expect(dog[0].classes[0]).toBe(151);
    expect(byId[0].classes).toEqual(dog[0].classes);
    expect(spaced[0].synset).toBe('n03800933');
    // "amphibian": WordNet's first sense is the amphibious vehicle (1 class), the animal has 8.
    expect(resolveGroups(['amphibian'])[0].synset).toBe('n01627424');
  });

  it('a class counts toward the first group of the list it falls under', () => {
    const [dog, cat, mammal] = resolveGroups(['dog', 'cat', 'mammal']);
    const all = resolveGroups(['mammal'])[0];
    expect(mammal.classes).toHaveLength(all.classes.length - dog.classes.length - cat.classes.length);
    expect(mammal.classes.some((c) => dog.classes.includes(c))).toBe(false);
  });

  it('an unknown name is a RangeError naming close matches', () => {
    expect(() => resolveGroups(['dgo'])).toThrow(/unknown group "dgo".*did you mean "dog"/);
    expect(() => resolveGroups(['vehical'])).toThrow(/did you mean "vehicle"/);
    expect(() => resolveGroups(['n99999999'])).toThrow(RangeError);
    expect(() => resolveGroups([])).toThrow(TypeError);
  });


  it("each shared photo's true class falls under the expected group (the test's list covers all 100)", () => {
    // test/data/imagenet-groups.json: group → the photos (file name after the WordNet id) under it.
    const EXPECTED: Record<string, string[]> = JSON.parse(readFileSync('test/data/imagenet-groups.json', 'utf8'));
    const groups = resolveGroups(Object.keys(EXPECTED));
    const ids = imagenetSynsetIds(SYNSETS_FILE);
    const photos = readdirSync('test/data/images/imagenet');
    expect(photos).toHaveLength(100);
    for (const photo of photos) {
      const cls = ids.indexOf(photo.slice(0, 9));
      const group = groups.find((g) => g.classes.includes(cls))?.name;
      expect(EXPECTED[group ?? '']?.includes(photo.slice(10, -5)), `${photo} → ${group}`).toBe(true);
      // And straight from WordNet's data file: the group's synset is an ancestor of the class.
      const synset = groups.find((g) => g.name === group)!.synset;
      expect(wordnetAncestors(photo.slice(1, 9)).has(synset.slice(1)), `${photo}: ${synset}`).toBe(true);
    }
  });
});

let dataNoun: Buffer | null = null;

/** Ancestors of a synset offset, read from data.noun directly (not through the table): an offset is the line's byte offset. */
function wordnetAncestors(offset: string): Set<string> {
  const data = (dataNoun ??= readFileSync(`${WORDNET_DIR}/data.noun`));
  const parents = (o: string) => {
    const line = data.toString('latin1', Number(o), Number(o) + 4000).split('\n')[0];
    expect(line.startsWith(`${o} `)).toBe(true);
    return [...line.split(' | ')[0].matchAll(/ @i? (\d{8}) n /g)].map((m) => m[1]);
  };
  const seen = new Set<string>();
  const todo = [offset];
  while (todo.length) {
    for (const p of parents(todo.pop()!)) {
      if (!seen.has(p)) {
        seen.add(p);
        todo.push(p);
      }
    }
  }
  return seen;
}
