// The spec's input preprocessing as the first ONNX nodes: against a float64
// reference, and bit for bit against torchvision's ToTensor + Normalize and
// GoogLeNet's transform_input (Debian's PyTorch) on raw 0..255 pixels.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkText } from "../../src/check/index.js";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { onnx } from "../../src/emit/onnx/proto.js";
import { applyPreprocess } from "../../src/ir/preprocess.js";
import { rng } from "../../src/ir/weights.js";
import { needTorchvision, runs } from "../requirements.js";
import { pythonCheck, runOrt, tempDir } from "./harness.js";

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

function graphOf(settings: string) {
  const r = checkText(`network P {\n  input image 3x5x7 {\n${settings}\n  }\n  identity\n}\n`, join(tempDir(), "p.net"));
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.graph!;
}

const imagenet = "scale 1/255; mean (0.485, 0.456, 0.406); std (0.229, 0.224, 0.225)";
const shape = [2, 3, 5, 7];
const plane = 35;
const next = rng(11);
// Raw pixels, including the extremes.
const pixels = Float32Array.from({ length: 2 * 3 * plane }, (_, i) => (i === 0 ? 0 : i === 1 ? 255 : Math.floor(next() * 256)));

/** Float64: what the steps mean, without any float32 rounding in between. */
function reference(transformInput: boolean): number[] {
  return [...pixels].map((x, i) => {
    const c = Math.floor(i / plane) % 3;
    const y = (x / 255 - MEAN[c]!) / STD[c]!;
    return transformInput ? y * (STD[c]! / 0.5) + (MEAN[c]! - 0.5) / 0.5 : y;
  });
}

describe("input preprocessing in ONNX", () => {
  for (const transformInput of [false, true]) {
    it(`ImageNet normalisation${transformInput ? " and transform_input" : ""} are the first nodes and match float64`, async () => {
      const graph = graphOf(imagenet + (transformInput ? "; transform_input" : ""));
      const { model } = emitOnnx(graph);
      const m = onnx.ModelProto.decode(model);
      const ops = m.graph!.node!.map((n) => n.opType);
      expect(ops).toEqual(["Div", "Sub", "Div", ...(transformInput ? ["Mul", "Add"] : []), "Identity"]);
      expect(m.graph!.node![0]!.input![0]).toBe("image");
      const path = join(tempDir(), "p.onnx");
      writeFileSync(path, model);
      pythonCheck(path);
      // What `netc infer` reads to know the graph takes raw pixels.
      expect(JSON.parse(m.metadataProps!.find((p) => p.key === "netc.preprocess")!.value!)).toMatchObject({ scale: 1 / 255, inGraph: true, transformInput });
      const got = (await runOrt(model, "image", shape, pixels.slice())).data;
      const want = reference(transformInput);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      expect(worst).toBeLessThan(2e-6);
      // The TypeScript steps the data pipeline and `infer --image` use give the same float32 values.
      expect([...applyPreprocess(graph.preprocess, pixels.slice(), 3, plane)]).toEqual([...got]);
    });
  }

  it("--no-preprocess leaves the input as is", async () => {
    const graph = graphOf(imagenet + "; transform_input");
    const { model } = emitOnnx(graph, { preprocess: false });
    expect(onnx.ModelProto.decode(model).graph!.node!.map((n) => n.opType)).toEqual(["Identity"]);
    expect([...(await runOrt(model, "image", shape, pixels.slice())).data]).toEqual([...pixels]);
  });

  it("a scale that is not 1/N multiplies; no mean or std, no nodes for them", async () => {
    const graph = graphOf("scale 0.3\n    order bgr");
    const { model } = emitOnnx(graph);
    expect(onnx.ModelProto.decode(model).graph!.node!.map((n) => n.opType)).toEqual(["Mul", "Identity"]);
    expect([...(await runOrt(model, "image", shape, pixels.slice())).data]).toEqual([...Float32Array.from(pixels, (x) => x * Math.fround(0.3))]);
  });

  it.runIf(runs(needTorchvision(), "preprocessing against torchvision's transforms"))(
    "equals torchvision's ToTensor + Normalize and transform_input bit for bit",
    async () => {
      const dir = tempDir();
      // HWC bytes, as an image decoder hands them to ToTensor.
      const hwc = new Uint8Array(pixels.length);
      for (let n = 0; n < 2; n++)
        for (let c = 0; c < 3; c++) for (let p = 0; p < plane; p++) hwc[n * 3 * plane + p * 3 + c] = pixels[n * 3 * plane + c * plane + p]!;
      writeFileSync(join(dir, "pixels.bin"), hwc);
      const script = `
import sys, torch, numpy as np, torchvision
from torchvision import transforms as T
raw = np.fromfile(sys.argv[1] + "/pixels.bin", dtype=np.uint8).reshape(2, 5, 7, 3)
norm = T.Compose([T.ToTensor(), T.Normalize(${JSON.stringify(MEAN)}, ${JSON.stringify(STD)})])
x = torch.stack([norm(raw[i]) for i in range(2)])
net = torchvision.models.googlenet(weights=None, aux_logits=False, transform_input=True, init_weights=False)
y = net._transform_input(x)
x.numpy().astype("<f4").tofile(sys.argv[1] + "/normalize.bin")
y.detach().numpy().astype("<f4").tofile(sys.argv[1] + "/transform.bin")
`;
      execFileSync("/usr/bin/python3", ["-c", script, dir], { stdio: "pipe" });
      for (const [transformInput, file] of [[false, "normalize.bin"], [true, "transform.bin"]] as const) {
        const graph = graphOf(imagenet + (transformInput ? "; transform_input" : ""));
        const got = (await runOrt(emitOnnx(graph).model, "image", shape, pixels.slice())).data;
        const buf = readFileSync(join(dir, file));
        const want = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
        expect([...got], file).toEqual([...want]);
      }
    },
    60_000,
  );
});
