// Two things the PyTorch target does to keep its training step as fast as a
// hand-written model's (`npm run bench -- pytorch`), each against PyTorch
// doing it the plain way:
// - max pooling with uneven padding (TF's 'same') uses PyTorch's own padding
//   and rounding where they give the same windows, instead of a padded copy:
//   every case of a grid of sizes, kernels, strides, paddings and roundings
//   against the windows written out one by one (test/pytorch/maxpool_windows.py);
// - a ReLU on a fresh tensor (a layer's output, a sum, a product) is in place:
//   the same outputs and gradients as plain F.relu, and autograd does not object
//   (test/pytorch/inplace_grads.py).

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { expect, test } from "vitest";
import { checkText } from "../../src/check/index.js";
import { OPS } from "../../src/emit/pytorch/model-code.js";
import { netc, root, tmp } from "../cli/helpers.js";
import { needTorch, runs } from "../requirements.js";

const torchReady = runs(needTorch(), "the PyTorch target's max pooling and in-place ReLU against plain PyTorch");

interface PoolCase {
  expr: string;
  in: number[];
  out: number[];
  kernel: number[];
  stride: number[];
  pads: number[];
}

function poolCases(): PoolCase[] {
  const cases: PoolCase[] = [];
  for (const h of [5, 6, 7, 8])
    for (const k of [2, 3, 4])
      for (const s of [1, 2, 3])
        for (const pad of ["same", "(0, 0, 1, 1)", "(1, 1, 0, 0)", "(1, 0, 0, 1)", "(0, 1, 2, 0)", "(2, 2, 1, 2)", "(1, 1, 1, 1)"])
          for (const round of ["", " ceil"]) {
            const r = checkText(`network P {\n  input x 2x${h}x${h + 1}\n  maxpool ${k}x${k}/${s} pad=${pad}${round}\n}\n`, "/tmp/p.net");
            if (!r.graph || r.diagnostics.some((d) => d.severity === "error")) continue; // a pad over half the kernel (NET4013), an empty output
            const node = r.graph.nodes.find((n) => n.attrs.op === "maxpool")!;
            const a = node.attrs as { kernel: number[]; stride: number[]; pads: number[] };
            const expr = OPS.maxpool.forward(node.attrs as never, { graph: r.graph, node, inputs: ["x"], module: "" });
            cases.push({ expr, in: r.graph.inputShape, out: node.shape, kernel: a.kernel, stride: a.stride, pads: a.pads });
          }
  return cases;
}

test.runIf(torchReady)("max pooling: PyTorch's padding argument and ceil mode where they give the grammar's windows, a -inf padded copy elsewhere", () => {
  const cases = poolCases();
  const uneven = cases.filter((c) => c.pads[0] !== c.pads[2] || c.pads[1] !== c.pads[3]);
  // Both ways of writing uneven padding are exercised.
  expect(uneven.filter((c) => !c.expr.includes("F.pad")).length).toBeGreaterThan(50);
  expect(uneven.filter((c) => c.expr.includes("F.pad")).length).toBeGreaterThan(20);
  const r = spawnSync("/usr/bin/python3", [join(root, "test/pytorch/maxpool_windows.py")], { input: JSON.stringify(cases), encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  expect(JSON.parse(r.stdout)).toEqual({ bad: 0, first: [] });
}, 120_000);

test.runIf(torchReady)("ReLU in place on fresh tensors: the same outputs and gradients as plain F.relu", () => {
  const dir = tmp("netc-pytorch-inplace-");
  // conv relu, conv bn relu, add relu, mul relu and dense relu are in place; the
  // pixelwise dense's ReLU (on a permuted view) is not.
  writeFileSync(
    join(dir, "t.net"),
    `network T {
  input x 3x12x12
  c1 = conv 3x3 8 pad=1 relu
  c2 = conv 3x3 8 pad=1 bn relu
  r = add relu {
    conv 3x3 8 pad=1 bn relu
    identity
  }
  m = mul relu {
    seq { avgpool global; conv 1x1 8 }
    identity
  }
  p = dense 8 pixelwise relu
  maxpool 3x3/2 pad=same
  flatten
  dense 16 relu
  dense 10
}
`,
  );
  const c = netc(["compile", join(dir, "t.net"), "--target", "pytorch", "--out", dir]);
  expect(c.code, c.stderr).toBe(0);
  const r = spawnSync("/usr/bin/python3", [join(root, "test/pytorch/inplace_grads.py"), join(dir, "model.py")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  const got = JSON.parse(r.stdout) as { inplace: number; outputMaxAbsDiff: number; gradMaxAbsDiff: number; gradMaxAbs: number };
  expect(got.inplace).toBe(6);
  expect(got.gradMaxAbs).toBeGreaterThan(1e-3);
  expect(got.outputMaxAbsDiff).toBe(0);
  expect(got.gradMaxAbsDiff).toBe(0);
}, 120_000);
