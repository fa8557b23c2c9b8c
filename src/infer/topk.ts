// Top-k classes of one output row; applies softmax unless the row already is a
// probability distribution (non-negative, summing to 1).

function probabilities(row: ArrayLike<number>): Float64Array {
  const p = Float64Array.from(row as ArrayLike<number>);
  let sum = 0;
  let nonNegative = true;
  for (const v of p) {
    sum += v;
    if (v < 0) nonNegative = false;
  }
  if (nonNegative && Math.abs(sum - 1) < 1e-3) return p;
  const max = Math.max(...p);
  let z = 0;
  for (let i = 0; i < p.length; i++) z += p[i] = Math.exp(p[i]! - max);
  for (let i = 0; i < p.length; i++) p[i]! /= z;
  return p;
}

export function topK(row: ArrayLike<number>, k = 5): { index: number; probability: number }[] {
  const p = probabilities(row);
  return Array.from(p, (probability, index) => ({ index, probability }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, k);
}
