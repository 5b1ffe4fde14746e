/**
 * Result controls and WordNet groups on the shared photos with MobileNetV2-int8 (WASM, in the
 * worker): scoreThreshold, allow, deny against the full softmax; group vs fine top-1 accuracy.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, listImages, reference, test } from './fixtures.ts';

const photos = listImages('imagenet').filter((f) => f.endsWith('.JPEG'));
const urls = photos.map((f) => `/test-images/imagenet/${f}`);
/** The test's coarse groups, covering the 100 photos' classes (test/data/imagenet-groups.json). */
const GROUPS: Record<string, string[]> = JSON.parse(readFileSync(path.join(import.meta.dirname, '../test/data/imagenet-groups.json'), 'utf8'));

test('scoreThreshold, allow, deny and groups on the 100 photos: the full softmax, filtered before top-k; group vs fine top-1 accuracy', async ({ harness }) => {
  const groups = Object.keys(GROUPS);
  const r = await harness.evaluate(async ({ urls, groups }) => {
    const c = await window.sdk.createClassifier({ model: 'mobilenetv2-int8', backend: 'wasm' });
    const full = await c.classifyBatch(urls, { topK: 1000 });
    const coarse = await c.classifyBatch(urls, { groups, topK: groups.length });
    // tagPhotos takes groups too (the first three photos, as Blobs).
    const blobs = await Promise.all(urls.slice(0, 3).map(async (u) => (await fetch(u)).blob()));
    const tagged = await window.sdk.tagPhotos(c, blobs, { groups, topK: 1 });
    const allow = ['Samoyed', 'tabby', 'coffee mug', 'tench', 'zebra', 'orange', 'laptop', 'banjo'];
    const out = {
      full: full.map((p) => p.map(({ index, score }) => ({ index, score }))),
      coarse: coarse.map((p) => p.map(({ label, index, score, classes, top }) => ({ label, index, score, classes, top: top.index }))),
      tagged: tagged.map((t) => t.predictions[0].label),
      threshold: await c.classifyBatch(urls, { scoreThreshold: 0.3, topK: 5 }),
      allowed: await c.classifyBatch(urls, { allow, topK: 3 }),
      denied: [] as { index: number; score: number }[][],
      errors: [] as string[],
    };
    // Deny each photo's top-1 by label and its second by index (the first 25 photos: one run each).
    for (const [i, u] of urls.slice(0, 25).entries()) {
      const deny = [full[i][0].label, full[i][1].index];
      out.denied.push((await c.classify(u, { deny, topK: 2 })).map(({ index, score }) => ({ index, score })));
    }
    for (const bad of [{ allow: ['samoyd'] }, { deny: ['cofee mug'] }, { scoreThreshold: -1 }]) {
      await c.classify(urls[0], bad).then(
        () => out.errors.push('resolved'),
        (e: Error) => out.errors.push(`${e.name}: ${e.message}`),
      );
    }
    await c.dispose();
    return { ...out, allowIndices: allow.map((l) => c.labels.indexOf(l)) };
  }, { urls, groups });
  let kept = 0;
  photos.forEach((f, i) => {
    const full = r.full[i];
    const score = new Map(full.map((p) => [p.index, p.score]));
    // scoreThreshold: the top-5 that score at least 0.3, same scores.
    const expected = full.slice(0, 5).filter((p) => p.score >= 0.3);
    expect(r.threshold[i].map((p) => p.index), f).toEqual(expected.map((p) => p.index));
    kept += expected.length;
    // allow: the allowed classes in the full ranking's order, scores not renormalised.
    const allowed = full.filter((p) => r.allowIndices.includes(p.index)).slice(0, 3);
    expect(r.allowed[i].map((p) => p.index), f).toEqual(allowed.map((p) => p.index));
    for (const p of r.allowed[i]) expect(p.score).toBe(score.get(p.index));
    // deny: the first two are gone; the next two move up with their scores.
    if (i < r.denied.length) expect(r.denied[i], f).toEqual(full.slice(2, 4));
  });
  console.log(`scoreThreshold 0.3 kept ${kept} predictions over 100 photos (of 500 in the top-5)`);
  expect(r.denied).toHaveLength(25);
  expect(kept).toBeGreaterThan(50);
  expect(kept).toBeLessThan(200);
  expect(r.errors[0]).toMatch(/^RangeError: allow: "samoyd" is not a class of mobilenetv2-int8 \(did you mean "Samoyed"/);
  expect(r.errors[1]).toMatch(/^RangeError: deny: "cofee mug" .*did you mean "coffee mug"/);
  expect(r.errors[2]).toMatch(/^RangeError: scoreThreshold/);

  // groups: fine vs group top-1 accuracy, with the groups of test/data/imagenet-groups.json.
  let fineCorrect = 0;
  let groupCorrect = 0;
  photos.forEach((f, i) => {
    const truth = reference.imagenet[f].class_index;
    const trueGroup = groups.find((g) => GROUPS[g].includes(f.slice(10, -5)))!;
    if (r.full[i][0].index === truth) fineCorrect++;
    if (r.coarse[i][0].label === trueGroup) groupCorrect++;
    // Each group's score is the sum of its classes' probabilities; together at most 1 (groups never share a class).
    const prob = new Map(r.full[i].map((p) => [p.index, p.score]));
    for (const g of r.coarse[i]) {
      expect(g.index).toBe(-1);
      expect(g.score).toBeCloseTo(g.classes.reduce((s, c) => s + prob.get(c)!, 0), 9);
      if (g.classes.length) expect(g.classes).toContain(g.top);
    }
    expect(r.coarse[i].reduce((s, g) => s + g.score, 0)).toBeLessThanOrEqual(1 + 1e-9);
    expect(r.coarse[i].find((g) => g.label === trueGroup)!.classes).toContain(truth);
  });
  console.log(`MobileNetV2-int8 on 100 photos: fine top-1 ${fineCorrect}/100, group top-1 ${groupCorrect}/100 over ${groups.length} groups`);
  expect(groupCorrect).toBeGreaterThanOrEqual(fineCorrect);
  expect(fineCorrect).toBeGreaterThanOrEqual(80);
  expect(r.tagged).toEqual(photos.slice(0, 3).map((f) => groups.find((g) => GROUPS[g].includes(f.slice(10, -5)))));
});
