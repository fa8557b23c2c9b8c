// `netc verify --against pytorch`: the PyTorch target's model.py, run by
// Debian's PyTorch on a state_dict netc writes, against netc's ONNX model on
// onnxruntime. The weights come from netc's seeded initialisation or, as an
// independent source, from PyTorch itself (test/pytorch/run_model.py draws
// them in torch and saves them with torch.save). A corrupted tensor on the
// PyTorch side alone must fail the comparison, and a missing one the strict load.

import { spawnSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkFile } from "../../src/check/index.js";
import { diskHost } from "../../src/check/program.js";
import { verifyLimit } from "../../src/verify/index.js";
import { verifyPytorch } from "../../src/verify/pytorch.js";
import { netc, root, tmp } from "../cli/helpers.js";
import { needTorch, runs } from "../requirements.js";

const torchReady = runs(needTorch(), "netc verify --against pytorch");

describe("netc verify --against pytorch", () => {
  test.runIf(torchReady)(
    "specs/inception-fashion.net with netc's seeded weights: ok, exit 0",
    () => {
      const r = netc(["verify", "specs/inception-fashion.net", "--against", "pytorch"]);
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(
        /^specs\/inception-fashion\.net: max \|pytorch - onnx\| = \S+ over output \[2, 10\] \(largest \|output\| \S+; random weights, torch \S+, batch 2\): ok\n$/,
      );
      expect(r.code).toBe(0);
    },
    120_000,
  );

  test.runIf(torchReady)(
    "specs/zoo/resnet18.net with weights PyTorch drew and saved itself (--weights): ok, exit 0",
    () => {
      const dir = tmp("netc-verify-pt-");
      const set = ["--set", "classes=10", "--set", "size=64"];
      expect(netc(["compile", "specs/zoo/resnet18.net", "--target", "pytorch", "--out", dir, ...set]).code).toBe(0);
      const made = spawnSync(
        "/usr/bin/python3",
        [join(root, "test/pytorch/run_model.py"), join(dir, "model.py"), dir, "1"],
        { encoding: "utf8" },
      );
      if (made.status !== 0) throw new Error(made.stderr);
      const r = netc([
        "verify",
        "specs/zoo/resnet18.net",
        ...set,
        "--against",
        "pytorch",
        "--weights",
        join(dir, "state.pt"),
        "--batch",
        "3",
        "--json",
      ]);
      expect(r.stderr).toBe("");
      const got = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(got).toMatchObject({
        against: "pytorch",
        ok: true,
        weights: "checkpoint",
        batch: 3,
        outputShape: [3, 10],
      });
      expect(got.backend).toMatch(/^torch \d/);
      expect(got.maxAbsDiff as number).toBeLessThanOrEqual(got.tolerance as number);
      expect(r.code).toBe(0);
    },
    180_000,
  );

  test.runIf(torchReady)(
    "a corrupted tensor on the PyTorch side is a difference above the limit; a missing one fails the strict load",
    async () => {
      const graph = checkFile(join(root, "specs/inception-fashion.net"), diskHost).graph!;
      const base = { seed: 0, batch: 2, quiet: true };
      const ok = await verifyPytorch(graph, base);
      expect(ok.maxAbsDiff).toBeLessThanOrEqual(verifyLimit(ok));
      const bad = await verifyPytorch(graph, {
        ...base,
        alterState: (tensors) => {
          // +1 on one value of the last bias in state_dict order.
          const bias = tensors.filter((t) => t.name.endsWith(".bias")).at(-1)!;
          const v = new DataView(bias.data.buffer, bias.data.byteOffset, bias.data.byteLength);
          v.setFloat32(0, v.getFloat32(0, true) + 1, true);
        },
      });
      expect(bad.maxAbsDiff).toBeGreaterThan(1e-3);
      expect(bad.maxAbsDiff).toBeGreaterThan(verifyLimit(bad));
      await expect(
        verifyPytorch(graph, { ...base, alterState: (tensors) => void tensors.splice(0, 1) }),
      ).rejects.toThrow(/^PyTorch failed to run the generated model: RuntimeError: Error\(s\) in loading state_dict/);
    },
    120_000,
  );

  test("no Python, or a Python without PyTorch: one line naming what to install, exit 2", () => {
    const dir = tmp("netc-verify-pt-");
    const none = netc(["verify", "specs/inception-fashion.net", "--against", "pytorch", "--python", join(dir, "nope")]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe("");
    expect(none.stderr).toBe(
      `netc verify: cannot run ${join(dir, "nope")} (ENOENT): --against pytorch needs Python 3 with PyTorch (Debian: apt-get install python3-torch; elsewhere: pip install torch), or --python PATH naming one\n`,
    );
    // A "Python" whose `import torch` fails.
    const fake = join(dir, "python");
    writeFileSync(fake, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n");
    chmodSync(fake, 0o755);
    const notorch = netc(["verify", "specs/inception-fashion.net", "--against", "pytorch", "--python", fake]);
    expect(notorch.code).toBe(2);
    expect(notorch.stderr).toBe(
      `netc verify: PyTorch is missing for ${fake} (Debian: apt-get install python3-torch; elsewhere: ${fake} -m pip install torch), or name another Python with --python PATH\n`,
    );
  });
});
