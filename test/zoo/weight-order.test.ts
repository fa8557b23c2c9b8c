// Every zoo spec lists its tensors in torchvision's state_dict order with
// torchvision's shapes (stateDictOrder, the order `netc weights` will read a
// checkpoint in). torchvision's side comes from one run of
// scripts/torchvision-figures.py --state-dict; BatchNorm's num_batches_tracked
// is left out there, as netc has no such tensor.

import { execFileSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { checkFile } from "../../src/check/index.js";
import { stateDictOrder } from "../../src/ir/state-dict.js";
import { needTorchvision, runs } from "../requirements.js";
import { zoo } from "./figures.js";

const torch = runs(needTorchvision(), "the zoo's state_dict order against torchvision");

describe.runIf(torch)("zoo weights in torchvision's state_dict order", () => {
  let reference: Record<string, [string, number[]][]> = {};

  test("torchvision's state_dicts", () => {
    const out = execFileSync("/usr/bin/python3", ["scripts/torchvision-figures.py", "--state-dict", ...zoo.map((z) => z.torchvision)], {
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    reference = JSON.parse(out) as typeof reference;
    expect(Object.keys(reference)).toEqual(zoo.map((z) => z.torchvision));
  }, 120_000);

  for (const z of zoo) {
    test(`${z.file} = ${z.torchvision}`, () => {
      const ours = stateDictOrder(checkFile(z.file).graph!);
      const theirs = reference[z.torchvision]!;
      const first = ours.findIndex((t, i) => t.shape.join() !== theirs[i]?.[1].join());
      // On a mismatch, the first differing tensor with its neighbours, ours beside theirs.
      const around = [];
      for (let i = Math.max(0, first - 2); first !== -1 && i < first + 3; i++)
        around.push(`${ours[i] ? `${ours[i]!.node}.${ours[i]!.torchName} [${ours[i]!.shape}]` : "(none)"} ~ ${theirs[i] ? `${theirs[i]![0]} [${theirs[i]![1]}]` : "(none)"}`);
      expect(around.join("\n")).toBe("");
      expect(ours.length).toBe(theirs.length);
    });
  }
});
