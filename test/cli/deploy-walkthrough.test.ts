// README's "Deploy torchvision weights" walk-through, run as written: its shell
// block is read from README.md and each command runs in a scratch folder, with
// three substitutions that a machine without network access needs: a seeded
// random ResNet-18 (`weights=None`) instead of the download, Debian's Python,
// and a PNG made here instead of the photo (jpeg decoders differ by a few
// levels). The top-5 that `netc infer` prints must be torchvision's own on the
// same image through torchvision's evaluation transforms on PIL. Then the same
// steps for Inception v3, whose weights expect torchvision's transform_input.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { needTorchvision, runs } from "../requirements.js";
import { writePhoto } from "../fixtures/photo.js";
import { bin, root } from "./helpers.js";

/** The first ```sh block under the walk-through's heading. */
function walkthrough(): string[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const at = readme.indexOf("\n## Deploy torchvision weights\n");
  expect(at, "README.md has a 'Deploy torchvision weights' section").toBeGreaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
  return block.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("#"));
}

/** Each substitution must apply where the README says what it says, so a changed walk-through fails here. */
function offline(lines: string[]): string[] {
  const subs: [RegExp, string][] = [
    [/torchvision\.models\.resnet18\(weights='DEFAULT'\)/, "(torch.manual_seed(0), torchvision.models.resnet18(weights=None))[1]"],
    [/^python3 /, "/usr/bin/python3 "],
    [/^npx netc /, `${process.execPath} ${bin} `],
    [/--image cat\.jpg/, "--image cat.png"],
  ];
  const used = new Set<number>();
  const out = lines.map((line) =>
    subs.reduce((l, [re, to], i) => {
      if (!re.test(l)) return l;
      used.add(i);
      return l.replace(re, to);
    }, line),
  );
  expect([...used].sort(), "every substitution applies to the README's commands").toEqual([0, 1, 2, 3]);
  return out;
}

// torchvision's model (the same seed as the walk-through's) on the same PNG.
const REFERENCE = String.raw`
import json, sys, torch, torchvision
from PIL import Image
from torchvision import transforms as T
torch.manual_seed(0)
net = torchvision.models.resnet18(weights=None).eval()
t = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
x = t(Image.open(sys.argv[1]).convert("RGB")).unsqueeze(0)
with torch.no_grad():
    p = torch.softmax(net(x), 1)[0]
print(json.dumps(p.tolist()))
`;

describe.runIf(runs(needTorchvision(), "README's deploy walk-through"))("README: deploy torchvision weights", () => {
  test("the walk-through's commands run and print torchvision's top-5", () => {
    const dir = mkdtempSync(join(tmpdir(), "netc-deploy-"));
    symlinkSync(join(root, "specs"), join(dir, "specs"));
    writePhoto(join(dir, "cat.png"), 320, 280, 11);
    const outputs: string[] = [];
    for (const line of offline(walkthrough())) {
      const r = spawnSync("bash", ["-o", "pipefail", "-c", line], { cwd: dir, encoding: "utf8", timeout: 300_000 });
      expect(r.status, `${line}\n${r.stderr}`).toBe(0);
      outputs.push(r.stdout);
    }
    // `netc weights --weights`: the file's names beside the spec's tensors.
    const mapping = outputs.find((o) => o.includes("fc.weight"));
    expect(mapping, "netc weights lists the file's tensors").toBeDefined();
    expect(mapping).toContain("layer4.1.bn2.running_var");

    const names = readFileSync(join(dir, "imagenet-classes.txt"), "utf8").trimEnd().split("\n");
    expect(names.length).toBe(1000);
    const lines = outputs.at(-1)!.trimEnd().split("\n");
    expect(lines.length).toBe(5);
    const top = lines.map((l) => {
      const m = /^\s*(\d+)\s+([\d.]+)%\s+(.+)$/.exec(l);
      expect(m, l).not.toBeNull();
      return { index: Number(m![1]), percent: Number(m![2]), name: m![3]! };
    });

    const want = JSON.parse(
      spawnSync("/usr/bin/python3", ["-c", REFERENCE, join(dir, "cat.png")], { encoding: "utf8" }).stdout,
    ) as number[];
    const sorted = [...want].sort((a, b) => b - a);
    for (const t of top) {
      expect(t.name).toBe(names[t.index]);
      // Printed to 0.01%; PIL's resize is reproduced exactly for a PNG.
      expect(Math.abs(t.percent - want[t.index]! * 100), `class ${t.index}`).toBeLessThan(0.011);
      expect(want[t.index]! * 100).toBeGreaterThanOrEqual(sorted[5]! * 100 - 0.011);
    }
    // The first line is torchvision's top-1 (or ties with it to float32 rounding).
    expect(want[top[0]!.index]!).toBeGreaterThanOrEqual(sorted[0]! - 1e-6);
  }, 600_000);

  // Inception v3's pretrained weights expect transform_input, which the spec
  // declares: the same steps through the CLI give torchvision's top-5 with
  // transform_input=True, Resize(342) and CenterCrop(299).
  test("the same steps for Inception v3, whose weights expect transform_input", () => {
    const dir = mkdtempSync(join(tmpdir(), "netc-deploy-v3-"));
    writePhoto(join(dir, "cat.png"), 320, 280, 11);
    const py = spawnSync("/usr/bin/python3", ["-c", INCEPTION, dir], { encoding: "utf8" });
    expect(py.status, py.stderr).toBe(0);
    const want = JSON.parse(py.stdout) as number[];
    const run = (args: string[]) => {
      const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", timeout: 300_000 });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    run(["compile", join(root, "specs/zoo/inception-v3.net"), "--target", "onnx", "--weights", "v3.pt", "-o", "v3.onnx"]);
    const top = run(["infer", "v3.onnx", "--image", "cat.png", "--json"]);
    const got = (JSON.parse(top) as { top: { index: number; probability: number }[] }).top;
    const sorted = [...want].sort((a, b) => b - a);
    expect(got.length).toBe(5);
    expect(sorted[0]!).toBeGreaterThan(0.01);
    for (const t of got) {
      expect(Math.abs(t.probability - want[t.index]!), `class ${t.index}`).toBeLessThan(1e-4);
      expect(want[t.index]!).toBeGreaterThanOrEqual(sorted[5]! - 1e-4);
    }
    expect(want[got[0]!.index]!).toBeGreaterThanOrEqual(sorted[0]! - 1e-6);
  }, 600_000);
});

// A seeded Inception v3 with He-initialised weights and random BatchNorm
// statistics (torchvision's own init barely lets the image through), saved as
// torch.save writes it; its probabilities on cat.png through torchvision's transforms.
const INCEPTION = String.raw`
import json, sys, torch, torchvision
from PIL import Image
from torchvision import transforms as T
torch.manual_seed(0)
net = torchvision.models.inception_v3(weights=None, aux_logits=True, transform_input=True, init_weights=True).eval()
with torch.no_grad():
    for m in net.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            if m.bias is not None: torch.nn.init.uniform_(m.bias, -0.1, 0.1)
        elif isinstance(m, torch.nn.BatchNorm2d):
            torch.nn.init.uniform_(m.weight, 0.5, 1.5); torch.nn.init.uniform_(m.bias, -0.1, 0.1)
            m.running_mean.uniform_(-0.1, 0.1); m.running_var.uniform_(0.5, 1.5)
torch.save(net.state_dict(), sys.argv[1] + "/v3.pt")
t = T.Compose([T.Resize(342), T.CenterCrop(299), T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
x = t(Image.open(sys.argv[1] + "/cat.png").convert("RGB")).unsqueeze(0)
with torch.no_grad():
    p = torch.softmax(net(x), 1)[0]
print(json.dumps(p.tolist()))
`;
