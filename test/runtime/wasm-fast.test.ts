// The faster wasm kernels netc substitutes (pool gradients, copies, reductions,
// broadcasting arithmetic, batch norm), each against the pure-JS cpu backend.
import { beforeAll, describe, expect, it } from "vitest";
import type { Tf } from "../../src/runtime/index.js";
import { onBackend, randn, relDiff, rng, size, wasmTf } from "./helpers.js";

let tf: Tf;
beforeAll(async () => {
  tf = await wasmTf();
});

type T4 = ReturnType<Tf["tensor4d"]>;
type Tensor = ReturnType<Tf["tensor"]>;
/** tf.grad(s) take functions of plain Tensors; the tests' functions want 4-D ones. */
const as4 = (f: (...xs: T4[]) => Tensor) => f as unknown as (...xs: Tensor[]) => Tensor;

/** Runs `fn` on wasm and on cpu with the same seeded inputs and returns both results. */
async function both(shapes: number[][], seed: number, fn: (...xs: T4[]) => Array<{ dataSync(): ArrayLike<number> }>) {
  const data = shapes.map((s, i) => randn(size(s), rng(seed + i)));
  const run = (backend: string) => onBackend(tf, backend, () => fn(...data.map((d, i) => tf.reshape(tf.tensor1d(d), shapes[i]!) as Tensor as T4)));
  return { wasm: await run("wasm"), cpu: await run("cpu") };
}

function expectClose(r: { wasm: Float32Array[]; cpu: Float32Array[] }, tol = 1e-5) {
  expect(r.wasm.length).toBe(r.cpu.length);
  r.wasm.forEach((w, i) => {
    expect(w.length).toBe(r.cpu[i]!.length);
    expect(relDiff(w, r.cpu[i]!)).toBeLessThanOrEqual(tol);
  });
}

describe("pooling gradients", () => {
  const cases: Array<[number[], number, number, "same" | "valid"]> = [
    [[2, 28, 28, 3], 2, 2, "valid"],
    [[2, 9, 11, 4], 3, 1, "same"],
    [[3, 14, 14, 5], 3, 2, "same"],
    [[1, 7, 7, 6], 7, 7, "valid"], // global
    [[1, 6, 4, 1], 2, 2, "valid"], // wasm's own MaxPoolGrad loses a window here
    [[2, 10, 9, 3], 3, 2, "valid"],
    [[2, 5, 8, 2], 2, 3, "same"],
  ];
  it.each(cases)("max %j k%i s%i %s", async (shape, k, s, pad) => {
    expectClose(
      await both([shape, shape], 3, (x, w) => {
        const f = (v: T4) => tf.sum(tf.mul(tf.maxPool(v, k, s, pad), tf.slice(w, [0, 0, 0, 0], tf.maxPool(v, k, s, pad).shape)));
        return [tf.grad(as4(f))(x)];
      }),
    );
  });
  it.each(cases)("avg %j k%i s%i %s", async (shape, k, s, pad) => {
    expectClose(
      await both([shape, shape], 5, (x, w) => {
        const f = (v: T4) => tf.sum(tf.mul(tf.avgPool(v, k, s, pad), tf.slice(w, [0, 0, 0, 0], tf.avgPool(v, k, s, pad).shape)));
        return [tf.grad(as4(f))(x)];
      }),
    );
  });

  it("max routes ties (ReLU zeros, repeated values) to the first maximum", async () => {
    const run = (backend: string) =>
      onBackend(tf, backend, () => {
        // Rounded, ReLU'd data: most windows hold several equal maxima.
        const x = tf.relu(tf.round(tf.tensor4d(randn(2 * 8 * 8 * 3, rng(9)), [2, 8, 8, 3])));
        const w = tf.tensor4d(randn(2 * 8 * 8 * 3, rng(10)), [2, 8, 8, 3]);
        return [2, 3].flatMap((k) =>
          [1, 2].map((s) => tf.grad(as4((v) => tf.sum(tf.mul(tf.maxPool(v, k, s, "same"), tf.slice(w, [0, 0, 0, 0], tf.maxPool(v, k, s, "same").shape)))))(x)),
        );
      });
    // A misrouted gradient differs by O(1); overlapping windows sum in another order.
    expectClose({ wasm: await run("wasm"), cpu: await run("cpu") }, 1e-6);
  });
});

describe("copies", () => {
  it.each([
    [[1, 1, 1, 32], [64, 28, 28, 1]],
    [[3, 1, 2], [2, 4, 3]],
    [[5], [7]],
    [[2, 3], [1, 1]],
    [[4, 1], [1, 10]],
  ])("Tile %j by %j", async (shape, reps) => {
    expectClose(await both([shape], 1, (x) => [tf.tile(x, reps)]), 0);
  });

  it("Tile of int32 and bool", async () => {
    const run = (backend: string) =>
      onBackend(tf, backend, () => [tf.tile(tf.tensor2d([1, 2, 3, 4], [2, 2], "int32"), [3, 2]), tf.tile(tf.tensor1d([true, false], "bool"), [3])]);
    expectClose({ wasm: await run("wasm"), cpu: await run("cpu") }, 0);
  });

  it.each([
    [[64, 14, 14, 72], [0, 0, 0, 16], [64, 14, 14, 24]], // an Inception branch's channels
    [[2, 5, 6, 7], [1, 2, 0, 0], [1, 3, 6, 7]], // trailing dims whole
    [[2, 5, 6, 7], [0, 1, 2, 3], [2, 3, 3, 4]],
    [[9, 200], [2, 10], [5, 150]], // long runs
    [[4, 3, 2, 5, 3], [1, 0, 1, 2, 1], [2, 3, 1, 2, 2]],
    [[6], [2], [3]],
  ])("Slice %j from %j size %j", async (shape, begin, sz) => {
    expectClose(await both([shape], 2, (x) => [tf.slice(x, begin, sz)]), 0);
  });

  it.each([3, 1, 0])("Concat and its gradient (SplitV) on axis %i", async (axis) => {
    // Three inputs of [2, 5, 4, 3] that differ along `axis` (sizes 3, 2, 4).
    const shapes = [3, 2, 4].map((d) => [2, 5, 4, 3].map((v, i) => (i === axis ? d : v)));
    expectClose(
      await both(shapes, 4, (a, b, c) => {
        const w = tf.randomNormal(tf.concat([a!, b!, c!], axis).shape, 0, 1, "float32", 7);
        const g = tf.grads(as4((p, q, r) => tf.sum(tf.mul(tf.concat([p!, q!, r!], axis), w))))([a!, b!, c!]);
        return [tf.concat([a!, b!, c!], axis), ...g];
      }),
      0,
    );
  });

  it("Concat of int32", async () => {
    const run = (backend: string) =>
      onBackend(tf, backend, () => [tf.concat([tf.tensor2d([1, 2, 3, 4], [2, 2], "int32"), tf.tensor2d([5, 6], [2, 1], "int32")], 1)]);
    expectClose({ wasm: await run("wasm"), cpu: await run("cpu") }, 0);
  });
});

describe("reductions", () => {
  it.each([
    [[64, 28, 28, 32], [0, 1, 2], false],
    [[8, 7, 7, 16], [1, 2], true],
    [[8, 7, 7, 16], [1, 2], false],
    [[5, 6, 7], [0], false],
    [[5, 6, 7], [1], true],
    [[5, 6, 7], [2], false], // innermost: wasm's own
    [[5, 6, 7], [0, 2], false], // not contiguous: wasm's own
    [[5, 6, 7], [0, 1, 2], false],
  ] as const)("Sum and Mean of %j over %j keepDims %s", async (shape, axes, keep) => {
    expectClose(await both([[...shape]], 6, (x) => [tf.sum(x, [...axes], keep), tf.mean(x, [...axes], keep)]), 1e-5);
  });

  it("Sum and Mean gradients broadcast dy (netc registers them without a ones tensor)", async () => {
    const r = await both([[3, 4, 5, 6], [4, 5]], 13, (x, w) => {
      const sumGrad = tf.grad(as4((v) => tf.sum(tf.mul(tf.sum(v!, [0, 3]), w!))))(x!);
      const meanGrad = tf.grad(as4((v) => tf.sum(tf.mul(tf.mean(v!, [0, 3], true), tf.reshape(w!, [1, 4, 5, 1])))))(x!);
      const expected = tf.broadcastTo(tf.reshape(w!, [1, 4, 5, 1]), [3, 4, 5, 6]);
      return [sumGrad, tf.sub(sumGrad, expected), tf.sub(meanGrad, tf.div(expected, 18))];
    });
    expectClose(r, 0);
    expect(Math.max(...r.wasm[1]!.map(Math.abs), ...r.wasm[2]!.map(Math.abs))).toBe(0);
  });

  it("int32 sums", async () => {
    const run = (backend: string) => onBackend(tf, backend, () => [tf.sum(tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2], "int32"), [0, 1])]);
    expectClose({ wasm: await run("wasm"), cpu: await run("cpu") }, 0);
  });
});

describe("broadcasting arithmetic and batch norm", () => {
  const full = [16, 12, 12, 32];
  it.each([[[32]], [[1, 1, 1, 32]], [[16, 1, 1, 32]], [[12, 1, 1]], [[1]]])("ops with a %j operand, both orders", async (small) => {
    expectClose(
      await both([full, small], 8, (x, v) => {
        const pos = tf.add(tf.abs(v), 0.5);
        return [tf.add(x, v), tf.sub(v, x), tf.mul(x, v), tf.div(x, pos), tf.div(pos, tf.add(tf.abs(x), 0.5)), tf.squaredDifference(x, v)];
      }),
    );
  });

  it("batch norm forward and gradients (training-mode statistics)", async () => {
    expectClose(
      await both([full, [32], [32], full], 12, (x, gamma, beta, w) => {
        const f = as4((v, g, b) => {
          const { mean, variance } = tf.moments(v, [0, 1, 2]);
          return tf.sum(tf.mul(tf.batchNorm(v!, mean, variance, b!, g!, 1e-3), w!));
        });
        const { mean, variance } = tf.moments(x!, [0, 1, 2]);
        return [tf.batchNorm(x!, mean, variance, beta!, gamma!, 1e-3), tf.batchNorm(x!, mean, variance), ...tf.grads(f)([x!, gamma!, beta!])];
      }),
      1e-4,
    );
  });

  it("clone and same-dtype cast share data safely", async () => {
    await tf.setBackend("wasm");
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    const c = tf.cast(a, "float32");
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3]);
    const d = tf.cast(tf.tensor1d([1.7, -2.2]), "int32");
    expect(d.dtype).toBe("int32");
    expect(Array.from(d.dataSync())).toEqual([1, -2]);
    tf.dispose([b, c, d]);
  });
});

describe("no leaks", () => {
  it("every replaced kernel frees its intermediates", async () => {
    await tf.setBackend("wasm");
    const step = () =>
      tf.tidy(() => {
        const x = tf.randomNormal([4, 8, 8, 6]);
        const w = tf.randomNormal([4, 8, 8, 18]);
        const f = as4((v) => {
          const p = tf.maxPool(v!, 3, 1, "same");
          const c = tf.concat([v!, p, tf.avgPool(v!, 3, 1, "same")], 3);
          const { mean, variance } = tf.moments(c, [0, 1, 2]);
          // (tfjs itself cannot differentiate a batch norm without a scale.)
          return tf.sum(tf.mul(tf.batchNorm(c, mean, variance, tf.zeros([18]), tf.ones([18])), w));
        });
        return tf.grad(f)(x).dataSync();
      });
    step();
    const ids = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) step();
    expect(tf.engine().backend.numDataIds()).toBe(ids);
  });
});
