/** Close matches for a mistyped name (a class or group name), for error messages. */

/** Edit distance with adjacent transpositions (optimal string alignment), case as given. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => {
    const row = new Array<number>(b.length + 1).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
    }
  }
  return rows[a.length][b.length];
}

/**
 * Up to `n` candidates closest to `name` (lowercased), nearest first: those containing it or
 * contained in it count as one edit; nothing further than a third of the name's length (at least 2).
 */
export function closeMatches(name: string, candidates: Iterable<string>, n = 3): string[] {
  const q = name.trim().toLowerCase();
  const limit = Math.max(2, Math.ceil(q.length / 3));
  const scored: { c: string; d: number }[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    const l = c.toLowerCase();
    if (seen.has(l)) continue;
    seen.add(l);
    const d = q.length >= 3 && (l.includes(q) || q.includes(l)) && l.length >= 3 ? 1 : editDistance(q, l);
    if (d <= limit) scored.push({ c, d });
  }
  return scored
    .sort((x, y) => x.d - y.d || x.c.length - y.c.length)
    .slice(0, n)
    .map((s) => s.c);
}

/** ` (did you mean "a", "b"?)` for a message, or `''` when there is no close match. */
export function didYouMean(matches: string[]): string {
  return matches.length ? ` (did you mean ${matches.map((m) => `"${m}"`).join(', ')}?)` : '';
}
