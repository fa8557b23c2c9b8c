// Shape rules against an independent reference: windows are enumerated one by
// one (where PyTorch's loops would place them) instead of using the formulas.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { convOut, poolOut, samePads } from "../../src/ir/geometry.js";

/** Window starts a framework visits: every start on the stride grid whose window fits the padded input. */
function enumerateConv(input: number, k: number, s: number, d: number, before: number, after: number): number {
  let n = 0;
  for (let start = -before; start + d * (k - 1) <= input + after - 1; start += s) n++;
  return n;
}

/**
 * PyTorch/Caffe pooling in words: all windows that fit; in ceil mode one more,
 * partial window for the pixels left over, unless it would start in the end padding.
 */
function enumeratePool(input: number, k: number, s: number, before: number, after: number, ceil: boolean): number {
  let n = 0;
  let start = -before;
  for (; start + k <= input + after; start += s) n++;
  // Pixels that no full window covered (the last full window ended before the padded end).
  const covered = start - s + k;
  if (ceil && covered < input + after && start < input) n++;
  return n;
}

describe("convolution output size", () => {
  it("matches window enumeration", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), (input, k, s, d, b, a) => {
        fc.pre(input + b + a >= d * (k - 1) + 1);
        expect(convOut(input, k, s, d, b, a)).toBe(enumerateConv(input, k, s, d, b, a));
      }),
    );
  });
});

describe("TF 'same' padding", () => {
  it("keeps ceil(input / stride) and puts the extra pixel at the end", () => {
    expect(samePads(224, 7, 2, 1)).toEqual([2, 3]);
    expect(samePads(112, 3, 1, 1)).toEqual([1, 1]);
    expect(samePads(28, 1, 1, 1)).toEqual([0, 0]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), (input, k, s, d) => {
        const [b, a] = samePads(input, k, s, d);
        expect(a - b === 0 || a - b === 1).toBe(true);
        expect(enumerateConv(input, k, s, d, b, a)).toBe(Math.ceil(input / s));
      }),
    );
  });
});

describe("pooling output size", () => {
  it("floor mode matches window enumeration", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (input, k, s, b, a) => {
        fc.pre(input + b + a >= k && b < k && a < k);
        expect(poolOut(input, k, s, b, a, false)).toBe(enumerateConv(input, k, s, 1, b, a));
      }),
    );
  });
  it("ceil mode matches PyTorch's rule (window enumeration)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }), (input, k, s, p) => {
        fc.pre(input + 2 * p >= k && 2 * p <= k);
        expect(poolOut(input, k, s, p, p, true)).toBe(enumeratePool(input, k, s, p, p, true));
      }),
    );
  });
  it("reproduces GoogLeNet's ceil-rounded pools and PyTorch's documented cases", () => {
    expect(poolOut(112, 3, 2, 0, 0, true)).toBe(56);
    expect(poolOut(112, 3, 2, 0, 0, false)).toBe(55);
    expect(poolOut(56, 3, 2, 0, 0, true)).toBe(28);
    expect(poolOut(28, 3, 2, 0, 0, true)).toBe(14);
    expect(poolOut(14, 3, 2, 0, 0, true)).toBe(7);
    expect(poolOut(14, 2, 2, 0, 0, true)).toBe(7);
    // The last window would start in the right padding: dropped (PyTorch, Caffe).
    expect(poolOut(5, 2, 2, 1, 1, true)).toBe(3);
    expect(poolOut(6, 3, 3, 1, 1, true)).toBe(3);
  });
});
