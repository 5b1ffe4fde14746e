/**
 * The docs hold together: the README stays a user's page (at most 300 lines), and every relative
 * link in the README, CONTRIBUTING.md and docs/ reaches a file that exists, and a heading that
 * exists when it names one (GitHub's anchors).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const pages = ['README.md', 'CONTRIBUTING.md', ...readdirSync(path.join(root, 'docs'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.md') && !f.startsWith(`api${path.sep}`))
  .map((f) => path.join('docs', f))];

/** GitHub's anchor of a heading: lowercased, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown page's headings (outside code blocks). */
function anchors(text: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (m) out.add(anchor(m[1]));
  }
  return out;
}

/** Relative links of a page, outside code: `[text](target)`. */
function links(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((t) => !/^[a-z]+:/i.test(t));
}

describe('docs', () => {
  it('the README is at most 300 lines', () => {
    expect(readFileSync(path.join(root, 'README.md'), 'utf8').split('\n').length - 1).toBeLessThanOrEqual(300);
  });

  it('every relative link reaches a file, and a heading when it names one', () => {
    expect(pages.length).toBeGreaterThan(10);
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(path.join(root, page), 'utf8');
      for (const link of links(text)) {
        const [file, hash] = link.split('#');
        const target = file ? path.join(path.dirname(path.join(root, page)), decodeURI(file)) : path.join(root, page);
        if (!existsSync(target)) broken.push(`${page}: ${link} (no such file)`);
        else if (hash && statSync(target).isFile() && target.endsWith('.md') && !anchors(readFileSync(target, 'utf8')).has(hash)) {
          broken.push(`${page}: ${link} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('the link check can fail', () => {
    expect(anchor('How correct, fast and reliable it is')).toBe('how-correct-fast-and-reliable-it-is');
    expect(anchor('What `dist/` holds')).toBe('what-dist-holds');
    expect(anchors('# A\n```\n# not a heading\n```\n## B c').has('not-a-heading')).toBe(false);
    expect(links('see [x](a.md#b) and `[y](not-a-link.md)` and [z](https://example.com)')).toEqual(['a.md#b']);
  });
});
