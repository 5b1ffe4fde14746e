/**
 * Result controls: which classes a result may list (`allow`, `deny`), how many (`topK`), from what
 * score (`scoreThreshold`), and coarse WordNet `groups` instead of the fine classes. Compiled once
 * per call against the model's labels into a function from logits to predictions (`decoderFor`),
 * which both classifiers (in this thread and across a worker) use.
 */
import { softmax, topK as topIndices, type Prediction } from './decode.ts';
import { closeMatches, didYouMean } from '../common/names.ts';
import { IMAGENET_CLASSES, imagenetClassOf, loadWordnet, resolveGroups, wordnetLoaded, type ResolvedGroup } from '../wordnet/synsets.ts';

/** A class by name (its label, any case; for ImageNet-1k models also its WordNet id) or by output index. */
export type ClassRef = string | number;

/** What a result lists. Every control applies before top-k; scores stay the softmax over all classes. */
export interface ResultControls {
  /** How many predictions to return at most (overrides the classifier's `topK`). */
  topK?: number;
  /**
   * Leave out predictions scoring below this probability (0…1), so a result may list fewer than
   * `topK`, or none.
   * @default 0
   */
  scoreThreshold?: number;
  /**
   * Only these classes may be listed (labels or indices; a label that names two classes, such as
   * ImageNet's two "crane"s, means both). An unknown label is a `RangeError` naming close matches.
   */
  allow?: readonly ClassRef[];
  /** These classes are never listed (labels or indices, as `allow`). */
  deny?: readonly ClassRef[];
  /**
   * Coarse categories instead of fine classes (ImageNet-1k models only): WordNet 3.0 lemmas such
   * as `'dog'`, `'bird'`, `'vehicle'`, `'fruit'`, or synset ids such as `'n02084071'`. Each group
   * scores the summed probability of the classes under it; a class counts toward the first group
   * of the list it falls under, so `['dog', 'cat', 'animal']` makes "animal" the other animals.
   * `allow`/`deny` decide which classes count. Results are then {@link GroupPrediction}s. An
   * unknown name is a `RangeError` naming close matches; `hypernyms(i)` shows what is above a class.
   */
  groups?: readonly string[];
}

/** A coarse category of a result with `groups`: the summed probability of its classes. */
export interface GroupPrediction extends Prediction {
  /** The group as named in `groups`. */
  label: string;
  /** `-1`: a group is not one of the model's outputs (see `classes`). */
  index: -1;
  /** The sum of the softmax probabilities of its classes. */
  score: number;
  /** The group's WordNet synset id (`'n02084071'` for "dog"). */
  synset: string;
  /** The class indices whose probabilities were summed. */
  classes: number[];
  /** Its most likely class. */
  top: Prediction;
}

/** What `classify` returns per image for these options: group predictions when `groups` is set. */
export type ResultFor<O> = O extends {
  /** Set: the results are groups. */
  groups: readonly string[];
}
  ? GroupPrediction
  : Prediction;

/** What the model's classes are, for `groups` and WordNet ids. */
export interface ClassInfo {
  labels: readonly string[];
  /** `'imagenet-1k'` when the classes are ImageNet-1k's WordNet synsets in their usual order. */
  synsets?: 'imagenet-1k';
  /** The model's name, for messages. */
  name: string;
}

export function checkTopK(k: unknown): number {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new RangeError(`topK must be a positive integer, got ${String(k)}`);
  }
  return k;
}

const byLabel = new WeakMap<readonly string[], Map<string, number[]>>();

function labelIndex(labels: readonly string[]): Map<string, number[]> {
  let map = byLabel.get(labels);
  if (!map) {
    map = new Map();
    labels.forEach((l, i) => {
      const k = l.toLowerCase();
      map!.set(k, [...(map!.get(k) ?? []), i]);
    });
    byLabel.set(labels, map);
  }
  return map;
}

/** Class indices named by `refs` (`what`: 'allow' or 'deny', for messages). */
function classIndices(refs: unknown, what: string, info: ClassInfo): number[] {
  if (!Array.isArray(refs)) throw new TypeError(`${what} must be an array of class labels or indices`);
  const n = info.labels.length;
  return refs.flatMap((ref: unknown) => {
    if (typeof ref === 'number') {
      if (!Number.isInteger(ref) || ref < 0 || ref >= n) throw new RangeError(`${what}: ${ref} is not a class index of ${info.name} (0…${n - 1})`);
      return [ref];
    }
    if (typeof ref !== 'string') throw new TypeError(`${what} must list class labels (strings) or indices (numbers), got ${String(ref)}`);
    const found = labelIndex(info.labels).get(ref.trim().toLowerCase());
    if (found) return found;
    if (info.synsets === 'imagenet-1k' && isWordnetId(ref)) {
      const i = imagenetClassOf(ref);
      if (i >= 0) return [i];
    }
    throw new RangeError(`${what}: "${ref}" is not a class of ${info.name}${didYouMean(closeMatches(ref, info.labels))}`);
  });
}

const isWordnetId = (ref: unknown) => typeof ref === 'string' && /^n\d{8}$/.test(ref.trim());

/**
 * Whether compiling these controls needs the WordNet table (`loadWordnet()` first): groups, or
 * classes named by WordNet id, on an ImageNet-1k model.
 */
export function needsWordnet(controls: ResultControls, info: ClassInfo): boolean {
  if (info.synsets !== 'imagenet-1k') return false;
  const refs = [controls.allow, controls.deny].flatMap((r) => (Array.isArray(r) ? r : []));
  return controls.groups !== undefined || refs.some(isWordnetId);
}

const groupCache = new Map<string, ResolvedGroup[]>();

function groupsOf(names: readonly string[], info: ClassInfo): ResolvedGroup[] {
  if (info.synsets !== 'imagenet-1k' || info.labels.length !== IMAGENET_CLASSES) {
    throw new RangeError(
      `groups need a model whose classes are ImageNet-1k's WordNet synsets (ModelSpec.synsets: 'imagenet-1k'); ${info.name} has ${info.labels.length} classes of its own`,
    );
  }
  const k = JSON.stringify(names);
  let groups = groupCache.get(k);
  if (!groups) {
    groups = resolveGroups(names);
    if (groupCache.size > 32) groupCache.clear();
    groupCache.set(k, groups);
  }
  return groups;
}

/**
 * Checks `controls` against the model's classes (throwing `RangeError`/`TypeError`) and returns
 * logits → predictions. Where {@link needsWordnet}, the table must be loaded.
 */
export function compileControls(controls: ResultControls, info: ClassInfo, defaultTopK: number): (logits: ArrayLike<number>) => Prediction[] {
  const k = checkTopK(controls.topK ?? defaultTopK);
  const threshold = controls.scoreThreshold ?? 0;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw new RangeError(`scoreThreshold must be a probability from 0 to 1, got ${String(threshold)}`);
  }
  const n = info.labels.length;
  let keep: Uint8Array | null = null;
  if (controls.allow !== undefined || controls.deny !== undefined) {
    keep = new Uint8Array(n).fill(controls.allow === undefined ? 1 : 0);
    if (controls.allow !== undefined) for (const i of classIndices(controls.allow, 'allow', info)) keep[i] = 1;
    if (controls.deny !== undefined) for (const i of classIndices(controls.deny, 'deny', info)) keep[i] = 0;
  }
  const groups = controls.groups === undefined ? null : groupsOf(controls.groups, info);
  const label = (i: number) => info.labels[i] ?? `class ${i}`;

  if (groups) {
    const counted = groups.map((g) => (keep ? g.classes.filter((c) => keep[c]) : g.classes));
    return (logits) => {
      const probs = softmax(logits);
      const out: GroupPrediction[] = groups.map((g, j) => {
        let score = 0;
        let best = -1;
        for (const c of counted[j]) {
          score += probs[c];
          if (best < 0 || probs[c] > probs[best]) best = c;
        }
        const top = best < 0 ? { label: '', index: -1, score: 0 } : { label: label(best), index: best, score: probs[best] };
        return { label: g.name, index: -1, score, synset: g.synset, classes: [...counted[j]], top };
      });
      return out
        .map((p, j) => ({ p, j }))
        .sort((a, b) => b.p.score - a.p.score || a.j - b.j)
        .map(({ p }) => p)
        .filter((p) => p.score >= threshold && p.classes.length > 0)
        .slice(0, k);
    };
  }
  return (logits) => {
    const probs = softmax(logits);
    let ranked: ArrayLike<number> = probs;
    if (keep) {
      const masked = Float64Array.from(probs);
      for (let i = 0; i < n; i++) if (!keep[i]) masked[i] = -Infinity;
      ranked = masked;
    }
    return topIndices(ranked, k)
      .filter((i) => (!keep || keep[i]) && probs[i] >= threshold)
      .map((index) => ({ label: label(index), index, score: probs[index] }));
  };
}

/** What the controls are checked against: a classifier's labels and its model's class set and name. */
export interface ClassSource {
  readonly labels: readonly string[];
  readonly model: { readonly synsets?: 'imagenet-1k'; readonly name?: string };
}

function classInfo(c: ClassSource): ClassInfo {
  return { labels: c.labels, synsets: c.model.synsets, name: c.model.name ?? 'this model' };
}

/** The result controls checked against a classifier's classes: logits → predictions (WordNet loaded when needed). */
export async function decoderFor(c: ClassSource, controls: ResultControls, defaultTopK: number): Promise<(logits: ArrayLike<number>) => Prediction[]> {
  const info = classInfo(c);
  if (needsWordnet(controls, info)) await loadWordnet();
  return compileControls(controls, info, defaultTopK);
}

/**
 * For `watch`: checks the controls now, throwing; where the WordNet table is needed and not yet
 * loaded, checks the rest now and returns a promise of the whole check.
 */
export function checkControls(c: ClassSource, controls: ResultControls): void | Promise<unknown> {
  const info = classInfo(c);
  if (needsWordnet(controls, info) && !wordnetLoaded()) {
    compileControls({ topK: controls.topK, scoreThreshold: controls.scoreThreshold }, info, 1);
    return decoderFor(c, controls, 1);
  }
  compileControls(controls, info, 1);
}
