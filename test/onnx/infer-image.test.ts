// `netc infer --image` against torchvision's evaluation transforms on PIL
// (Resize(shorter side), CenterCrop, ToTensor, Normalize) for a PNG and a JPEG
// made here, and the whole path image -> netc ONNX with preprocessing -> top-5 with labels.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { describe, expect, it, vi } from "vitest";
import { checkText } from "../../src/check/index.js";
import { run } from "../../src/cli/commands/infer.js";
import { writeOnnx } from "../../src/emit/onnx/index.js";
import { decodeImage, evalPixels } from "../../src/infer/image.js";
import { applyPreprocess } from "../../src/ir/preprocess.js";
import { rng } from "../../src/ir/weights.js";
import { needTorchvision, runs } from "../requirements.js";
import { tempDir } from "./harness.js";

const W = 37;
const H = 23;
/** Smooth gradients plus noise: like a photo, not like white noise. */
function rgba(): Uint8Array {
  const next = rng(5);
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 4;
      data[i] = Math.min(255, Math.floor((x * 255) / W + next() * 40));
      data[i + 1] = Math.min(255, Math.floor((y * 255) / H + next() * 40));
      data[i + 2] = Math.floor(next() * 256);
      data[i + 3] = 255;
    }
  return data;
}

const imagenet = "scale 1/255; mean (0.485, 0.456, 0.406); std (0.229, 0.224, 0.225)";
function spec(dir: string, crop: number) {
  return checkText(`network P(classes = 6) {\n  input image 3x${crop}x${crop} { ${imagenet} }\n  avgpool global\n  flatten\n  dense classes\n}\n`, join(dir, "p.net")).graph!;
}

const torch = runs(needTorchvision(), "infer --image against torchvision's transforms on PIL");

describe.runIf(torch)("infer --image follows torchvision's evaluation transforms", () => {
  const dir = tempDir();
  const png = join(dir, "a.png");
  const jpg = join(dir, "a.jpg");
  const data = rgba();
  const image = new PNG({ width: W, height: H });
  image.data = Buffer.from(data);
  writeFileSync(png, PNG.sync.write(image));
  writeFileSync(jpg, jpeg.encode({ width: W, height: H, data }, 90).data);

  // (resize, crop): shrinking (PIL's antialiased filter) and enlarging.
  const cases: [number, number][] = [[16, 12], [9, 8], [40, 32]];
  // One Python run for every reference (importing torch takes seconds).
  const refs = new Map<string, Float32Array>();
  const jobs = [...cases.map(([r, c]) => [png, r, c] as const), [jpg, ...cases[0]!] as const];
  const reference = (file: string, resize: number, crop: number): Float32Array => {
    if (refs.size === 0) {
      const script = `
import sys, json
from PIL import Image
from torchvision import transforms as T
for i, (file, resize, crop) in enumerate(json.loads(sys.argv[1])):
    t = T.Compose([T.Resize(resize), T.CenterCrop(crop), T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    t(Image.open(file).convert("RGB")).numpy().astype("<f4").tofile(f"{sys.argv[2]}/ref-{i}.bin")
`;
      execFileSync("/usr/bin/python3", ["-c", script, JSON.stringify(jobs), dir], { stdio: "pipe" });
      jobs.forEach(([f, r, c], i) => {
        const buf = readFileSync(join(dir, `ref-${i}.bin`));
        refs.set(`${f}:${r}:${c}`, new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)));
      });
    }
    return refs.get(`${file}:${resize}:${crop}`)!;
  };
  const ours = (file: string, resize: number, crop: number) =>
    applyPreprocess(spec(dir, crop).preprocess, evalPixels(decodeImage(file), 3, crop, crop, resize), 3, crop * crop);

  for (const [resize, crop] of cases) {
    it(`a PNG, Resize(${resize}) + CenterCrop(${crop}): PIL's pixels exactly, torchvision's tensor bit for bit`, () => {
      expect([...ours(png, resize, crop)]).toEqual([...reference(png, resize, crop)]);
    }, 60_000);
  }

  it("a JPEG: within the decoders' difference (jpeg-js against libjpeg), at most 3/255 before Normalize", () => {
    const [resize, crop] = cases[0]!;
    const got = ours(jpg, resize, crop);
    const want = reference(jpg, resize, crop);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) * [0.229, 0.224, 0.225][Math.floor(i / (crop * crop))]! * 255);
    expect(worst).toBeLessThanOrEqual(3 + 1e-3);
  }, 60_000);

  it("image -> ONNX with preprocessing (and without) -> top-5 with labels", async () => {
    const graph = spec(dir, 12);
    const labels = join(dir, "labels.txt");
    writeFileSync(labels, ["cat", "dog", "fish", "bird", "frog", "newt"].join("\n") + "\n");
    const outputs: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((s) => (outputs[outputs.length - 1] += String(s), true));
    try {
      for (const preprocess of [true, false]) {
        const model = join(dir, `p-${preprocess}.onnx`);
        writeOnnx(graph, model, { seed: 3, preprocess });
        for (const json of [true, false]) {
          outputs.push("");
          expect(await run({ model, ep: "cpu", batch: 1, image: png, labels, resize: 16, json })).toBe(0);
        }
      }
    } finally {
      spy.mockRestore();
    }
    const [withPre, text, withoutPre, text2] = outputs;
    const top = JSON.parse(withPre!).top as { index: number; probability: number; label: string }[];
    expect(top).toHaveLength(5);
    expect(top.map((t) => t.label)).toEqual(top.map((t) => ["cat", "dog", "fish", "bird", "frog", "newt"][t.index]));
    expect(top.reduce((a, t) => a + t.probability, 0)).toBeLessThan(1);
    // The same classes whether the graph or netc infer applies the preprocessing.
    const top2 = JSON.parse(withoutPre!).top as typeof top;
    expect(top2.map((t) => t.index)).toEqual(top.map((t) => t.index));
    for (let i = 0; i < 5; i++) expect(top2[i]!.probability).toBeCloseTo(top[i]!.probability, 5);
    expect(text! + text2!).toContain(top[0]!.label);
  }, 60_000);
});
