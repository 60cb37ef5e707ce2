/**
 * Edit distance between `a` and `b` (optimal string alignment): insertions, deletions,
 * substitutions and swaps of two neighbouring letters cost 1 (`imgae` is 1 from `image`).
 */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, before[j - 2]! + 1);
      current[j] = best;
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `word` if it is close enough to be a typo: at most a third of the
 * longer word's letters apart (at least 1, at most 3), or `word` is a prefix of exactly one
 * candidate. Ties go to the first candidate.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  if (word.length === 0) return undefined;
  const prefixed = candidates.filter((candidate) => candidate.startsWith(word));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    const allowed = Math.min(3, Math.max(1, Math.floor(Math.max(word.length, candidate.length) / 3)));
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` (did you mean X?)`, or '' when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[], prefix = ''): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? '' : ` (did you mean ${prefix}${match}?)`;
}
