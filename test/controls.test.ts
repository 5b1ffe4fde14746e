/** Result controls (topK, scoreThreshold, allow, deny, groups) on synthetic logits. */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileControls, type GroupPrediction } from '../src/output/controls.ts';
import { softmax } from '../src/output/decode.ts';
import { closeMatches } from '../src/common/names.ts';
import { loadWordnet, resolveGroups } from '../src/wordnet/synsets.ts';

beforeAll(() => loadWordnet());

const labels: string[] = JSON.parse(readFileSync('test/data/models/imagenet-labels.json', 'utf8'));
const imagenet = { labels, synsets: 'imagenet-1k' as const, name: 'mobilenetv2-int8' };
const cifar = { labels: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'], name: 'resnet20-cifar10' };

/** Logits where class i scores 1000 - i… except a few pushed up: 258 (Samoyed) first, then 281 (tabby), 504 (coffee mug). */
function logits(): Float32Array {
  const l = new Float32Array(1000).map((_, i) => -i / 100);
  l[258] = 6;
  l[281] = 5;
  l[504] = 4;
  l[151] = 3; // Chihuahua
  return l;
}

describe('result controls', () => {
  const probs = softmax(logits());

  it('topK and scoreThreshold; scores are the softmax over all classes', () => {
    const top = compileControls({}, imagenet, 5)(logits());
    expect(top.map((p) => p.index)).toEqual([258, 281, 504, 151, 0]);
    expect(top[0]).toEqual({ label: 'Samoyed', index: 258, score: probs[258] });
    const sure = compileControls({ topK: 10, scoreThreshold: probs[281] }, imagenet, 5)(logits());
    expect(sure.map((p) => p.index)).toEqual([258, 281]);
    expect(compileControls({ scoreThreshold: 1 }, imagenet, 5)(logits())).toEqual([]);
  });

  it('allow and deny by label (any case), index or WordNet id, before top-k', () => {
    const allowed = compileControls({ allow: ['coffee mug', 'CHIHUAHUA', 0], topK: 5 }, imagenet, 5)(logits());
    expect(allowed.map((p) => p.index)).toEqual([504, 151, 0]); // only those three, fewer than topK
    expect(allowed[0].score).toBe(probs[504]); // not renormalised
    const denied = compileControls({ deny: ['Samoyed', 'n02123045'], topK: 2 }, imagenet, 5)(logits()); // n02123045: tabby
    expect(denied.map((p) => p.index)).toEqual([504, 151]);
    const both = compileControls({ allow: [258, 281, 504], deny: [281] }, imagenet, 5)(logits());
    expect(both.map((p) => p.index)).toEqual([258, 504]);
    // A label that names two classes means both.
    const twice = { labels: ['crane', 'mug', 'crane'], name: 'a custom model' };
    expect(compileControls({ allow: ['crane'] }, twice, 5)([1, 3, 2]).map((p) => p.index)).toEqual([2, 0]);
  });

  it('an unknown class is a RangeError naming up to three close matches; bad values are clear errors', () => {
    expect(() => compileControls({ allow: ['samoyd'] }, imagenet, 5)).toThrow(/allow: "samoyd" is not a class of mobilenetv2-int8 \(did you mean "Samoyed"/);
    expect(() => compileControls({ deny: ['cofee mug'] }, imagenet, 5)).toThrow(/did you mean "coffee mug"/);
    expect(() => compileControls({ deny: [1000] }, imagenet, 5)).toThrow(RangeError);
    expect(() => compileControls({ allow: 'cat' as never }, imagenet, 5)).toThrow(TypeError);
    expect(() => compileControls({ scoreThreshold: 2 }, imagenet, 5)).toThrow(RangeError);
    expect(() => compileControls({ topK: 0 }, imagenet, 5)).toThrow(RangeError);
    expect(() => compileControls({ allow: ['kitten'] }, cifar, 5)).toThrow(/not a class of resnet20-cifar10/);
  });

  it('groups: summed probabilities, first listed group wins, allow/deny decide which classes count', () => {
    const decode = compileControls({ groups: ['dog', 'cat', 'container'] }, imagenet, 5);
    const out = decode(logits()) as GroupPrediction[];
    const [dog, cat, container] = resolveGroups(['dog', 'cat', 'container']);
    const sum = (classes: number[]) => classes.reduce((s, c) => s + probs[c], 0);
    expect(out.map((p) => p.label)).toEqual(['dog', 'cat', 'container']);
    expect(out[0]).toMatchObject({ index: -1, synset: 'n02084071', classes: dog.classes, top: { label: 'Samoyed', index: 258 } });
    expect(out[0].score).toBeCloseTo(sum(dog.classes), 12);
    expect(out[1].score).toBeCloseTo(sum(cat.classes), 12);
    expect(out[2].score).toBeCloseTo(sum(container.classes), 12);
    expect(out[2].top.label).toBe('coffee mug');
    const noSamoyed = compileControls({ groups: ['dog'], deny: ['Samoyed'] }, imagenet, 5)(logits()) as GroupPrediction[];
    expect(noSamoyed[0].score).toBeCloseTo(sum(dog.classes) - probs[258], 12);
    expect(noSamoyed[0].top.label).toBe('Chihuahua');
    const top1 = compileControls({ groups: ['cat', 'dog'], topK: 1, scoreThreshold: 0.1 }, imagenet, 5)(logits());
    expect(top1.map((p) => p.label)).toEqual(['dog']);
  });

  it('groups need an ImageNet-1k model and known names', () => {
    expect(() => compileControls({ groups: ['dog'] }, cifar, 5)).toThrow(/ImageNet-1k's WordNet synsets.*resnet20-cifar10 has 10 classes/);
    expect(() => compileControls({ groups: ['dgo'] }, imagenet, 5)).toThrow(/did you mean "dog"/);
  });
});

describe('closeMatches', () => {
  it('nearest first, at most three, nothing far', () => {
    expect(closeMatches('tabyy', labels)).toContain('tabby');
    expect(closeMatches('gold fish', labels)[0]).toBe('goldfish');
    expect(closeMatches('xqzwv', labels)).toEqual([]);
    expect(closeMatches('cat', ['dog', 'bat', 'cart', 'act', 'tiger cat']).length).toBe(3);
  });
});
