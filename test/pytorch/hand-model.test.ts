// The fairness of `npm run bench -- pytorch` (bench/pytorch.js): the
// hand-written PyTorch InceptionFashion (bench/hand_inception_fashion.py, the
// baseline) is the network the PyTorch target generates from
// specs/inception-fashion.net. Same parameter count (netc's own count too);
// with the generated model's seeded random weights loaded into it by position:
// the same outputs in eval mode, and in training mode the same outputs,
// parameter gradients and BatchNorm running statistics. Not timed.

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expect, test } from "vitest";
import { checkFile } from "../../src/check/index.js";
import { netc, root, tmp } from "../cli/helpers.js";
import { needTorch, runs } from "../requirements.js";

const torchReady = runs(needTorch(), "the PyTorch bench's hand-written model against the generated one");

test.runIf(torchReady)("bench/hand_inception_fashion.py is the generated InceptionFashion: same parameters, outputs and gradients", () => {
  const dir = tmp("netc-pytorch-hand-");
  const c = netc(["compile", "specs/inception-fashion.net", "--target", "pytorch", "--out", dir]);
  expect(c.code, c.stderr).toBe(0);
  const r = spawnSync("/usr/bin/python3", [join(root, "bench/hand_inception_fashion.py"), join(dir, "model.py")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  const got = JSON.parse(r.stdout) as Record<string, number>;
  const params = checkFile(join(root, "specs/inception-fashion.net")).graph!.params;
  expect(got.generatedParameters).toBe(params);
  expect(got.handParameters).toBe(params);
  // The same PyTorch kernels in the same order: equal up to rounding, in practice bit for bit.
  expect(got.evalMaxOutput).toBeLessThan(0.9); // a softmax that is not saturated: differences show
  expect(got.evalMaxAbsDiff).toBeLessThanOrEqual(1e-6);
  expect(got.trainMaxAbsDiff).toBeLessThanOrEqual(1e-6);
  expect(got.gradMaxAbs).toBeGreaterThan(1e-3); // gradients that are not all zero
  expect(got.gradMaxAbsDiff).toBeLessThanOrEqual(1e-6 * got.gradMaxAbs!);
  expect(got.runningStatsMaxAbsDiff).toBeLessThanOrEqual(1e-6);
}, 120_000);
