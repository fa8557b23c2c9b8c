// Pure size arithmetic shared by the custom layers: PyTorch/Caffe pooling output sizes
// and average-pool divisors, and PyTorch's adaptive-pool windows. No tfjs here.

/** Pooling output length along one axis, PyTorch rule (ceil mode drops a last window starting in the end padding). */
export function poolOutSize(len: number, k: number, s: number, before: number, after: number, ceil: boolean): number {
  const span = len + before + after - k;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= len + before) out -= 1;
  return out;
}

/**
 * How many pixels to add (positive) or remove (negative) after the input along one axis
 * so that a valid pooling produces exactly `out` windows and reads nothing beyond the last.
 */
export function tailAdjust(len: number, k: number, s: number, before: number, out: number): number {
  return (out - 1) * s + k - before - len;
}

/**
 * Per-window divisors of an average pool along one axis, as PyTorch computes them: with
 * countIncludePad the window is clipped to the padded border (so a ceil-mode overhang
 * beyond it does not count), otherwise to the real input.
 */
export function avgDivisors(
  len: number,
  k: number,
  s: number,
  before: number,
  after: number,
  out: number,
  countIncludePad: boolean,
): number[] {
  const counts: number[] = [];
  for (let i = 0; i < out; i++) {
    let start = i * s - before;
    let end = Math.min(start + k, len + after);
    if (!countIncludePad) {
      start = Math.max(start, 0);
      end = Math.min(end, len);
    }
    counts.push(Math.max(end - start, 0));
  }
  return counts;
}

/** PyTorch AdaptiveAvgPool windows: [floor(i*len/out), ceil((i+1)*len/out)). */
export function adaptiveWindows(len: number, out: number): Array<[number, number]> {
  const w: Array<[number, number]> = [];
  for (let i = 0; i < out; i++) w.push([Math.floor((i * len) / out), Math.ceil(((i + 1) * len) / out)]);
  return w;
}
