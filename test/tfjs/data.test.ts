// Dataset loading: IDX (gzipped or not), image folders (PNG/JPEG, resized,
// channels converted), seeded split, and errors that name the file.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { beforeAll, describe, expect, it } from "vitest";
import { DatasetError, loadDataset } from "../../src/runtime/data/index.js";
import { writeImage } from "../../src/runtime/data/image.js";
import { idxFile, writeIdxFixture } from "./fixtures.js";

const tmp = join(import.meta.dirname, "..", "..", "tmp", "tfjs-data");
const opts = { inputShape: [8, 8, 1], validationSplit: 0.25, seed: 1 };

beforeAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
});

describe("IDX", () => {
  it("reads gzipped train and plain test files, splits by seed", async () => {
    writeIdxFixture(join(tmp, "idx"), { count: 40, size: 8, classes: 4 });
    const d = await loadDataset(join(tmp, "idx"), opts);
    expect(d.format).toBe("idx");
    expect(d.classes).toBe(4);
    expect(d.train.count + d.validation.count).toBe(40);
    expect(d.validation.count).toBe(10);
    expect(d.test!.count).toBe(40);
    expect(Math.max(...d.train.x)).toBeCloseTo(200 / 255, 5);
    const again = await loadDataset(join(tmp, "idx"), opts);
    expect(again.validation.y).toEqual(d.validation.y);
  });

  it("resizes to the network's input and converts gray to RGB", async () => {
    const d = await loadDataset(join(tmp, "idx"), { ...opts, inputShape: [16, 16, 3], limit: 8 });
    expect(d.train.x.length).toBe(d.train.count * 16 * 16 * 3);
  });

  it("names the malformed file and what was expected", async () => {
    const dir = join(tmp, "bad");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "train-images-idx3-ubyte"), idxFile([10, 8, 8], new Uint8Array(600))); // 640 expected
    writeFileSync(join(dir, "train-labels-idx1-ubyte"), idxFile([10], new Uint8Array(10)));
    await expect(loadDataset(dir, opts)).rejects.toThrow(/train-images-idx3-ubyte: header says 10x8x8 = 640 bytes of data, the file has 600/);
    writeFileSync(join(dir, "train-images-idx3-ubyte"), Buffer.from("not idx at all"));
    await expect(loadDataset(dir, opts)).rejects.toThrow(/not an IDX file/);
    await expect(loadDataset(join(tmp, "missing"), opts)).rejects.toThrow(DatasetError);
    await expect(loadDataset(undefined, opts)).rejects.toThrow(/pass --data DIR/);
  });
});

describe("image folder", () => {
  it("decodes PNG and JPEG of any size into the input shape", async () => {
    const dir = join(tmp, "folder");
    for (const [cls, value] of [["cat", 30], ["dog", 220]] as const) {
      mkdirSync(join(dir, cls), { recursive: true });
      for (let i = 0; i < 3; i++) {
        const png = new PNG({ width: 10 + i, height: 12 });
        png.data.fill(value);
        writeFileSync(join(dir, cls, `${i}.png`), PNG.sync.write(png));
      }
      const raw = { width: 20, height: 20, data: Buffer.alloc(20 * 20 * 4, value) };
      writeFileSync(join(dir, cls, "x.jpg"), jpeg.encode(raw, 95).data);
    }
    const d = await loadDataset(dir, { ...opts, validationSplit: 0.25 });
    expect(d.format).toBe("folder");
    expect(d.classNames).toEqual(["cat", "dog"]);
    expect(d.train.count + d.validation.count).toBe(8);
    // Every pixel of a "dog" image is ~220/255 after resizing and gray conversion.
    const i = [...d.train.y].indexOf(1);
    expect(d.train.x[i * 64 + 10]).toBeCloseTo(220 / 255, 1);
  });

  it("applies the spec's preprocessing (channel order, scale, mean, std, transform_input) to the pixels", async () => {
    const dir = join(tmp, "colour");
    const png = new PNG({ width: 4, height: 4 });
    for (let i = 0; i < 16; i++) png.data.set([10, 100, 200, 255], i * 4);
    for (const cls of ["a", "b"]) {
      mkdirSync(join(dir, cls), { recursive: true });
      writeFileSync(join(dir, cls, "0.png"), PNG.sync.write(png));
    }
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const p = { scale: 1 / 255, mean, std, order: "rgb" as const, transformInput: false };
    const shape = [4, 4, 3];
    const d = await loadDataset(dir, { inputShape: shape, validationSplit: 0, seed: 1, preprocess: p });
    const f = Math.fround;
    const want = [10, 100, 200].map((v, c) => f(f(f(v / 255) - f(mean[c]!)) / f(std[c]!)));
    expect([...d.train.x.subarray(0, 3)]).toEqual(want);
    const bgr = await loadDataset(dir, { inputShape: shape, validationSplit: 0, seed: 1, preprocess: { ...p, order: "bgr", mean: [0, 0, 0], std: [1, 1, 1] } });
    expect([...bgr.train.x.subarray(0, 3)]).toEqual([200, 100, 10].map((v) => f(v / 255)));
    const ti = await loadDataset(dir, { inputShape: shape, validationSplit: 0, seed: 1, preprocess: { ...p, transformInput: true } });
    expect([...ti.train.x.subarray(0, 3)]).toEqual(want.map((x, c) => f(f(x * f(std[c]! / 0.5)) + f((mean[c]! - 0.5) / 0.5))));
  });

  it("says what layout it expected", async () => {
    const dir = join(tmp, "empty");
    mkdirSync(dir, { recursive: true });
    await expect(loadDataset(dir, opts)).rejects.toThrow(/expected IDX files .* or one subfolder per class/);
  });
});

it("bilinear resize keeps a constant image constant and averages at half-pixel centres", () => {
  const out = new Float32Array(4);
  writeImage([0, 255, 0, 255], [2, 2, 1], out, 0, [2, 2, 1]);
  // Raw pixel values: the preprocessing is applied to the whole split afterwards.
  expect([...out]).toEqual([0, 255, 0, 255]);
  const up = new Float32Array(4);
  writeImage([0, 255], [1, 2, 1], up, 0, [1, 4, 1]);
  expect([...up]).toEqual([0, 63.75, 191.25, 255]);
});
