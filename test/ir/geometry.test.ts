// The window arithmetic every stage shares (src/ir/geometry.ts), against
// definitions written out independently here.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adaptiveUniformKernel, adaptiveWindow, averagingMatrix, convOut, lrnWindow, poolOut, tailPad } from "../../src/ir/geometry.js";

describe("adaptive windows", () => {
  it("are PyTorch's [floor(i*n/out), ceil((i+1)*n/out)) for small sizes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 120 }), (n, out) => {
        for (let i = 0; i < out; i++) {
          expect(adaptiveWindow(i, n, out)).toEqual([Math.floor((i * n) / out), Math.ceil(((i + 1) * n) / out)]);
        }
      }),
      { seed: 7 },
    );
  });

  it("stay exact where i * n passes 2^53", () => {
    const n = 2 ** 40 + 3;
    const out = 2 ** 14 + 1;
    const i = out - 2;
    const [start, end] = adaptiveWindow(i, n, out);
    expect(BigInt(start)).toBe((BigInt(i) * BigInt(n)) / BigInt(out));
    expect(BigInt(end)).toBe((BigInt(i + 1) * BigInt(n) + BigInt(out) - 1n) / BigInt(out));
  });

  it("collapse to a plain average pool exactly when the size divides", () => {
    expect(adaptiveUniformKernel(12, 4)).toBe(3);
    expect(adaptiveUniformKernel(13, 4)).toBeUndefined();
    for (let i = 0; i < 4; i++) expect(adaptiveWindow(i, 12, 4)).toEqual([3 * i, 3 * i + 3]);
  });

  it("average rows that sum to one, transposed or not", () => {
    const [n, out] = [7, 3];
    const m = averagingMatrix(n, out, false);
    const t = averagingMatrix(n, out, true);
    for (let i = 0; i < out; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) {
        sum += m[i * n + j]!;
        expect(t[j * out + i]).toBe(m[i * n + j]);
      }
      expect(sum).toBeCloseTo(1, 6);
    }
  });
});

describe("pooling tail padding", () => {
  it("makes valid windows produce exactly the IR's output size", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.nat(2), fc.nat(2), fc.boolean(), (n, k, s, p0, p1, ceil) => {
        fc.pre(p0 < k && p1 < k && n + p0 + p1 >= k);
        const out = poolOut(n, k, s, p0, p1, ceil);
        const tail = tailPad(n, k, s, p0, out);
        expect(convOut(n, k, s, 1, p0, tail)).toBe(out);
        // The last window starts inside the input or its leading padding, never in the tail.
        expect((out - 1) * s).toBeLessThan(n + p0);
      }),
      { seed: 11 },
    );
  });
});

describe("LRN window", () => {
  it("is centred for odd sizes and PyTorch's (one more channel before) for even sizes", () => {
    expect(lrnWindow(5)).toEqual([2, 2]);
    expect(lrnWindow(4)).toEqual([2, 1]);
    expect(lrnWindow(1)).toEqual([0, 0]);
  });
});
