// RegNet's stages computed in the language (specs/zoo/lib/regnet.net's
// RegNetTrunk: range, log, pow, unique, count, at) against torchvision's own
// BlockParams.from_init_params, for every RegNet builder of torchvision 0.14:
// the builders are called with their model construction stubbed out, so the
// arguments and the stage widths, depths and group widths are torchvision's.

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkText } from "../../src/check/index.js";
import type { IrGraph } from "../../src/ir/graph.js";
import { needTorchvision, runs } from "../requirements.js";

const root = join(import.meta.dirname, "../..");

/** Each RegNet builder's from_init_params arguments and the BlockParams they give. */
const PYTHON = `
import json, torchvision.models.regnet as R
calls = []
original = R.BlockParams.from_init_params.__func__
def record(cls, **kw):
    calls.append(kw)
    return original(cls, **kw)
R.BlockParams.from_init_params = classmethod(record)
R._regnet = lambda params, weights, progress, **kw: params
out = {}
for name in sorted(n for n in R.__all__ if n.startswith("regnet_")):
    p = getattr(R, name)()
    out[name] = {"args": calls[-1], "widths": p.widths, "depths": p.depths, "group_widths": p.group_widths,
                 "bottleneck": p.bottleneck_multipliers, "se_ratio": p.se_ratio}
print(json.dumps(out))
`;

interface Reference {
  args: Record<string, number>;
  widths: number[];
  depths: number[];
  group_widths: number[];
  bottleneck: number[];
  se_ratio: number | null;
}

/** A network with torchvision's stem and a RegNetTrunk called with the builder's arguments. */
function spec(args: Record<string, number>): string {
  const named = Object.entries(args).map(([k, v]) => `${k === "bottleneck_multiplier" ? "bottleneck" : k}=${v}`);
  return `import "lib/regnet.net"\nnetwork T {\n  input 3x64x64\n  stem { conv 3x3/2 32 pad=1 bn relu }\n  trunk_output = RegNetTrunk(${named.join(", ")})\n}\n`;
}

/** Stage widths, depths and group widths read off the elaborated graph. */
function stages(g: IrGraph) {
  const out = { widths: [] as number[], depths: [] as number[], group_widths: [] as number[], se: [] as boolean[] };
  for (let k = 1; ; k++) {
    const prefix = `trunk_output/block${k}/`;
    const nodes = g.nodes.filter((n) => n.name.startsWith(prefix));
    if (nodes.length === 0) break;
    // Each bottleneck's grouped 3x3 is its `f/b`, its last 1x1 `f/c`.
    const b = nodes.filter((n) => n.name.endsWith("/f/b") && n.attrs.op === "conv");
    const c = nodes.filter((n) => n.name.endsWith("/f/c") && n.attrs.op === "conv");
    const conv = (n: (typeof nodes)[number]) => n.attrs as Extract<IrGraph["nodes"][number]["attrs"], { op: "conv" }>;
    out.depths.push(b.length);
    out.widths.push(conv(c[0]!).outChannels);
    out.group_widths.push(conv(b[0]!).outChannels / conv(b[0]!).groups);
    out.se.push(nodes.some((n) => n.name.includes("/f/se")));
  }
  return out;
}

const torch = runs(needTorchvision(), "RegNet stages against torchvision's BlockParams");

describe.runIf(torch)("RegNetTrunk = torchvision's BlockParams.from_init_params", () => {
  let reference: Record<string, Reference> = {};

  test("torchvision's RegNet builders", () => {
    reference = JSON.parse(execFileSync("/usr/bin/python3", ["-c", PYTHON], { encoding: "utf8" })) as typeof reference;
    // torchvision 0.14: regnet_y_400mf .. regnet_y_128gf and regnet_x_400mf .. regnet_x_32gf.
    expect(Object.keys(reference).length).toBe(15);
    expect(Object.keys(reference)).toContain("regnet_y_128gf");
    expect(Object.keys(reference)).toContain("regnet_x_32gf");
  }, 120_000);

  const names = [
    "regnet_x_16gf", "regnet_x_1_6gf", "regnet_x_32gf", "regnet_x_3_2gf", "regnet_x_400mf", "regnet_x_800mf", "regnet_x_8gf",
    "regnet_y_128gf", "regnet_y_16gf", "regnet_y_1_6gf", "regnet_y_32gf", "regnet_y_3_2gf", "regnet_y_400mf", "regnet_y_800mf", "regnet_y_8gf",
  ];
  for (const name of names) {
    test(name, () => {
      const ref = reference[name]!;
      expect(ref, `${name} missing from torchvision's builders`).toBeDefined();
      const r = checkText(spec(ref.args), join(root, "specs/zoo/regnet-widths-check.net"));
      expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`)).toEqual([]);
      const ours = stages(r.graph!);
      expect({ widths: ours.widths, depths: ours.depths, group_widths: ours.group_widths }).toEqual({
        widths: ref.widths, depths: ref.depths, group_widths: ref.group_widths,
      });
      expect(ours.se).toEqual(ref.widths.map(() => (ref.se_ratio ?? 0) > 0));
    });
  }
});

describe("RegNetTrunk outside torchvision's configurations", () => {
  const check = (args: string) => checkText(`import "lib/regnet.net"\nnetwork T {\n  input 3x64x64\n  trunk_output = RegNetTrunk(${args})\n}\n`, join(root, "specs/zoo/regnet-widths-check.net"));

  test("fewer than four stages stop at stage 4's index", () => {
    // widths 24, 24, 56, 56 (capacities 0, 0, 1, 1): two stages.
    const r = check("depth=4, w_0=24, w_a=10, w_m=2.3, group_width=8");
    const d = r.diagnostics.filter((x) => x.severity === "error");
    expect(d.map((x) => x.code)).toContain("NET4002");
    expect(d.find((x) => x.code === "NET4002")!.message).toContain("argument 2 of at expects an index from -2 to 1");
  });

  test("more than four stages fail the trunk's output annotation", () => {
    // w_m = 1.3 makes a new width nearly every block: more than four stages.
    const r = check("depth=8, w_0=16, w_a=12, w_m=1.3, group_width=8");
    expect(r.diagnostics.filter((x) => x.severity === "error").map((x) => x.code)).toEqual(["NET3008"]);
  });
});
