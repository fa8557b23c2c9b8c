// Shared test utilities: a seeded RNG, NHWC arrays, and running code on a chosen backend.
import { loadTf, type Tf } from "../../src/runtime/index.js";

export async function wasmTf(): Promise<Tf> {
  return loadTf({ backend: "wasm", quiet: true });
}

/** Deterministic test data: netc's own seeded generator. */
export { rng } from "../../src/ir/weights.js";

export function randn(n: number, rand: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rand() + rand() + rand() - 1.5) * 2;
  return out;
}

export const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs fn with `name` as the active backend and returns plain arrays of its results. */
export async function onBackend(tf: Tf, name: string, fn: () => Array<{ dataSync(): ArrayLike<number> }>): Promise<Float32Array[]> {
  await tf.setBackend(name);
  const outs = tf.tidy(() => fn() as never) as Array<{ dataSync(): ArrayLike<number>; dispose(): void }>;
  const arrays = outs.map((t) => Float32Array.from(t.dataSync()));
  outs.forEach((t) => t.dispose());
  return arrays;
}

/** max |a-b| / max(1, max |b|) */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let mag = 1;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    mag = Math.max(mag, Math.abs(b[i]!));
  }
  return diff / mag;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return a[i] === b[i] || (Number.isNaN(a[i]!) && Number.isNaN(b[i]!)) ? diff : Infinity;
    diff = Math.max(diff, a[i] === b[i] ? 0 : d);
  }
  return diff;
}
