// `netc infer`: timing, top-5 on an image, provider fallback, bad paths.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import jpeg from "jpeg-js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { run } from "../../src/cli/commands/infer.js";
import { writeOnnx } from "../../src/emit/onnx/index.js";
import { topK } from "../../src/infer/topk.js";
import { evalPixels } from "../../src/infer/image.js";
import { IrBuilder } from "./ir-builder.js";
import { tempDir } from "./harness.js";

let out = "";
let err = "";
beforeEach(() => {
  out = err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

function classifier(): string {
  const g = new IrBuilder("Tiny", [3, 8, 8], "image");
  const c = g.conv("conv", 0, { out: 4, kernel: 3, pads: 1, act: "relu" });
  const f = g.flatten("flat", g.global("gap", c, "globalavgpool"));
  const p = join(tempDir(), "tiny.onnx");
  writeOnnx(g.build(g.dense("fc", f, 10)), p, { seed: 1 });
  return p;
}

describe("netc infer", () => {
  it("times the model and reports per batch and per image", async () => {
    const code = await run({ model: classifier(), ep: "cpu", batch: 4, runs: 5, json: true });
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(r).toMatchObject({ ep: "cpu", batch: 4, runs: 5 });
    expect(r.medianMsPerImage).toBeCloseTo(r.medianMsPerBatch / 4, 9);
  });

  it("prints the top-5 classes of a PNG and a JPEG", async () => {
    const dir = tempDir();
    const png = new PNG({ width: 20, height: 13 });
    for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 37) % 256;
    writeFileSync(join(dir, "a.png"), PNG.sync.write(png));
    writeFileSync(join(dir, "a.jpg"), jpeg.encode({ width: 20, height: 13, data: png.data }, 90).data);
    const model = classifier();
    for (const image of ["a.png", "a.jpg"]) {
      out = "";
      expect(await run({ model, ep: "cpu", batch: 1, image: join(dir, image), json: true })).toBe(0);
      const { top } = JSON.parse(out);
      expect(top).toHaveLength(5);
      const sum = top.reduce((a: number, t: { probability: number }) => a + t.probability, 0);
      expect(sum).toBeLessThanOrEqual(1 + 1e-9);
      expect(top[0].probability).toBeGreaterThanOrEqual(top[4].probability);
    }
    expect(await run({ model, ep: "cpu", batch: 1, image: join(dir, "missing.png") })).toBe(2);
  });

  it("falls back to CPU with one line on stderr when a provider is missing", async () => {
    for (const ep of ["cuda", "webgpu"] as const) {
      err = "";
      expect(await run({ model: classifier(), ep, batch: 1, runs: 1, json: true })).toBe(0);
      const lines = err.trim().split("\n").filter((l) => l.startsWith("netc:"));
      if (JSON.parse(out.trim().split("\n").pop()!).ep === "cpu") {
        expect(lines).toHaveLength(1);
        if (ep === "cuda") expect(lines[0]).toContain("ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node");
      }
      out = "";
    }
  });

  it("bad model path: a message and exit 2, no stack trace", async () => {
    expect(await run({ model: "/nonexistent/model.onnx", ep: "cpu", batch: 1 })).toBe(2);
    expect(err).toContain("cannot read model");
    expect(err).not.toMatch(/\n\s+at /);
    const junk = join(tempDir(), "junk.onnx");
    writeFileSync(junk, "not a model");
    expect(await run({ model: junk, ep: "cpu", batch: 1 })).toBe(2);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it("a hostile --image (FIFO, directory, giant header, not an image) is one message and exit 2", async () => {
    const dir = tempDir();
    const fifo = join(dir, "pipe.png");
    execFileSync("mkfifo", [fifo]);
    mkdirSync(join(dir, "folder.png"));
    // A valid PNG signature and IHDR declaring 30000x30000 pixels: refused before inflating.
    const giant = new PNG({ width: 1, height: 1 });
    const bytes = PNG.sync.write(giant);
    bytes.writeUInt32BE(30000, 16);
    bytes.writeUInt32BE(30000, 20);
    writeFileSync(join(dir, "giant.png"), bytes);
    writeFileSync(join(dir, "text.png"), "hello");
    const model = classifier();
    const cases: [string, RegExp][] = [
      [fifo, /FIFO/],
      [join(dir, "folder.png"), /directory/],
      [join(dir, "giant.png"), /megapixels/],
      [join(dir, "text.png"), /not a PNG or JPEG/],
    ];
    for (const [image, why] of cases) {
      err = "";
      expect(await run({ model, ep: "cpu", batch: 1, image }), image).toBe(2);
      expect(err).toMatch(why);
      expect(err).toContain(image);
      expect(err).not.toMatch(/\n\s+at /);
    }
  });

  it("softmax only when the output is not already a distribution", () => {
    expect(topK([0.1, 0.7, 0.2], 2).map((t) => [t.index, t.probability])).toEqual([[1, 0.7], [2, 0.2]]);
    const t = topK([1, 3, 2], 3);
    expect(t.map((x) => x.index)).toEqual([1, 2, 0]);
    expect(t.reduce((a, x) => a + x.probability, 0)).toBeCloseTo(1, 12);
  });

  it("resizes the shorter side bilinearly (PIL's rounding) and crops the centre, raw 0..255 values", () => {
    const img = { width: 2, height: 1, data: new Uint8Array([0, 0, 0, 255, 255, 255, 255, 255]) };
    // 2x1 -> resize 2 -> 4x2 -> centre 4x1; PIL gives 0, 64, 191, 255 for the row (0.25 and 0.75 of 255, rounded).
    const t = evalPixels(img, 3, 1, 4, 2);
    expect(Array.from(t.subarray(0, 4))).toEqual([0, 64, 191, 255]);
    expect(Array.from(evalPixels(img, 3, 1, 2, 1).subarray(0, 2))).toEqual([0, 255]);
  });
});
