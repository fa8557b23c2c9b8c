// stateDictOrder's one departure from statement order: a layer scale is an
// nn.Parameter of the module holding it (torchvision's CNBlock.layer_scale),
// and PyTorch lists a module's own parameters before its submodules', so the
// scale's tensor leads the tensors of its block call, or of the network.
import { describe, expect, test } from "vitest";
import { checkText } from "../../src/check/index.js";
import { stateDictOrder } from "../../src/ir/state-dict.js";

function order(text: string): string[] {
  const r = checkText(text, "state-dict.net");
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return stateDictOrder(r.graph!).map((t) => `${t.node}.${t.torchName}`);
}

const LIB = `
block Scaled(c) {
  add {
    seq {
      conv 3x3 c pad=1
      gamma = scale 0.5
    }
    identity
  }
}
block Outer(c) {
  conv 1x1 c
  inner = Scaled(c)
  tail = scale 2
}
`;

describe("state_dict order of layer scales", () => {
  test("a scale leads its block call's tensors, each call its own", () => {
    expect(order(`${LIB}
network N {
  input 4x8x8
  first = conv 1x1 4
  a = Scaled(4)
  b = Scaled(4)
}`)).toEqual([
      "first.weight", "first.bias",
      "a/b1/gamma.layer_scale", "a/b1/conv1.weight", "a/b1/conv1.bias",
      "b/b1/gamma.layer_scale", "b/b1/conv1.weight", "b/b1/conv1.bias",
    ]);
  });

  test("in nested calls, each scale leads the call it is written in", () => {
    expect(order(`${LIB}
network N {
  input 4x8x8
  o = Outer(4)
}`)).toEqual([
      "o/tail.layer_scale", "o/conv1.weight", "o/conv1.bias",
      "o/inner/b1/gamma.layer_scale", "o/inner/b1/conv1.weight", "o/inner/b1/conv1.bias",
    ]);
  });

  test("a scale written in the network leads everything", () => {
    expect(order(`network N {
  input 4x8x8
  conv 1x1 4
  s = scale 1e-6
  flatten
  dense 3
}`)).toEqual(["s.layer_scale", "conv1.weight", "conv1.bias", "dense1.weight", "dense1.bias"]);
  });
});
