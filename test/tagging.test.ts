import { describe, expect, it } from 'vitest';
import { ClassifierError } from '../src/common/errors.ts';
import { tagPhotos, tagsToCSV, tagsToJSON } from '../src/api/tagging.ts';

const file = (name: string, body = 'x') => new File([body], name, { type: 'image/jpeg' });
const pred = (label: string, score: number) => ({ label, index: label.length, score });

/** A fake classifier: "bad" files are invalid; it records how many run at once. */
function fake(delay = 5) {
  const state = { running: 0, peak: 0 };
  return {
    state,
    async classify(image: Blob) {
      state.running++;
      state.peak = Math.max(state.peak, state.running);
      await new Promise((r) => setTimeout(r, delay));
      state.running--;
      const name = (image as File).name;
      if (name.startsWith('bad')) throw new ClassifierError('INVALID_IMAGE', `${name} is not an image`);
      return [pred(`cat ${name}`, 0.9), pred('dog, "big"', 0.1)];
    },
  };
}

describe('tagPhotos', () => {
  it('passes the result controls (topK, scoreThreshold, allow, deny, groups) to classify', async () => {
    const seen: unknown[] = [];
    const c = { classify: async (_: Blob, o?: object) => (seen.push(o), [pred('dog', 0.9)]) };
    const controls = { topK: 2, scoreThreshold: 0.1, allow: ['a', 1], deny: [2], groups: ['dog', 'cat'] };
    await tagPhotos(c, [file('a.jpg')], { ...controls, concurrency: 1, onProgress: () => undefined });
    expect(seen).toEqual([{ ...controls, signal: undefined }]);
  });

  it('keeps input order, bounds concurrency, reports progress, and records bad files', async () => {
    const c = fake();
    const files = ['a.jpg', 'bad.jpg', 'c.jpg', 'd.jpg', 'e.jpg'].map((n) => file(n));
    const progress: [number, number][] = [];
    const r = await tagPhotos(c, files, { concurrency: 2, onProgress: (d, t) => progress.push([d, t]) });
    expect(r.map((x) => x.name)).toEqual(['a.jpg', 'bad.jpg', 'c.jpg', 'd.jpg', 'e.jpg']);
    expect(r[0].predictions[0].label).toBe('cat a.jpg');
    expect(r[1]).toMatchObject({ predictions: [], error: { code: 'INVALID_IMAGE' } });
    expect(c.state.peak).toBe(2);
    expect(progress).toEqual([1, 2, 3, 4, 5].map((d) => [d, 5]));
  });
  it('stops on abort with ABORTED and starts nothing more', async () => {
    const c = fake(20);
    const ctl = new AbortController();
    const files = Array.from({ length: 10 }, (_, i) => file(`${i}.jpg`));
    const p = tagPhotos(c, files, { concurrency: 1, signal: ctl.signal, onProgress: (d) => d === 2 && ctl.abort() });
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    await new Promise((r) => setTimeout(r, 50));
    expect(c.state.running).toBe(0);
  });
  it('passes other errors through', async () => {
    const broken = { classify: async () => Promise.reject(new ClassifierError('DISPOSED', 'gone')) };
    await expect(tagPhotos(broken, [file('a.jpg')])).rejects.toMatchObject({ code: 'DISPOSED' });
  });
});

describe('exports', () => {
  const results = [
    { file: file('a,1.jpg'), name: 'a,1.jpg', predictions: [pred('tabby, tabby cat', 0.75), pred('egyptian "cat"', 0.25)] },
    { file: file('bad.jpg'), name: 'bad.jpg', predictions: [], error: { code: 'INVALID_IMAGE' as const, message: 'not an image' } },
  ];
  it('writes CSV with quoting', () => {
    expect(tagsToCSV(results)).toBe(
      'file,rank,label,index,score,error\r\n' +
        '"a,1.jpg",1,"tabby, tabby cat",16,0.750000,\r\n' +
        '"a,1.jpg",2,"egyptian ""cat""",14,0.250000,\r\n' +
        'bad.jpg,,,,,INVALID_IMAGE: not an image\r\n',
    );
  });
  it('writes JSON', () => {
    expect(JSON.parse(tagsToJSON(results))).toEqual([
      { file: 'a,1.jpg', predictions: results[0].predictions },
      { file: 'bad.jpg', predictions: [], error: { code: 'INVALID_IMAGE', message: 'not an image' } },
    ]);
  });
});
