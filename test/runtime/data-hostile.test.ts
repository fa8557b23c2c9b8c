// Malformed and hostile datasets: every one is a DatasetError naming the file and
// what is wrong, and none hangs, inflates a bomb or decodes a giant image. The
// generated training program prints such an error as one line, no stack trace.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync, gzipSync } from "node:zlib";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { tfjsSources } from "../../src/emit/tfjs/index.js";
import { DatasetError, LIMITS, loadDataset, type Dataset } from "../../src/runtime/data/index.js";
import { checkFits } from "../../src/runtime/train.js";
import { idxFile, writeIdxFixture } from "../tfjs/fixtures.js";
import { auxGraph } from "../tfjs/graphs.js";

const root = join(import.meta.dirname, "..", "..");
const opts = { inputShape: [8, 8, 1], validationSplit: 0.25, seed: 1 };
const base = mkdtempSync(join(tmpdir(), "data-hostile-"));
let n = 0;
const fresh = (): string => {
  const d = join(base, String(n++));
  mkdirSync(d, { recursive: true });
  return d;
};

/** An IDX dataset whose train-images file is `images` (labels: 10 zeros unless given). */
function idxDir(images: Buffer | ((path: string) => void), labels: Buffer = idxFile([10], new Uint8Array(10))): string {
  const d = fresh();
  const p = join(d, "train-images-idx3-ubyte");
  if (typeof images === "function") images(p);
  else writeFileSync(p, images);
  writeFileSync(join(d, "train-labels-idx1-ubyte"), labels);
  return d;
}

const images10 = () => idxFile([10, 8, 8], new Uint8Array(640));
const png = (w: number, h: number) => {
  const p = new PNG({ width: w, height: h });
  p.data.fill(120);
  return PNG.sync.write(p);
};

/** A two-class folder dataset; `extra` adds files to class "b". */
function folderDir(extra: (classB: string) => void): string {
  const d = fresh();
  for (const c of ["a", "b"]) {
    mkdirSync(join(d, c));
    writeFileSync(join(d, c, "0.png"), png(4, 4));
  }
  extra(join(d, "b"));
  return d;
}

async function refused(dir: string): Promise<string> {
  const err = await loadDataset(dir, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatasetError);
  return (err as DatasetError).message;
}

// CRC-32 (ISO-HDLC, as PNG uses) by hand: zlib.crc32 is missing before Node 20.15.
function crc32(buf: Uint8Array): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** An 8-bit RGBA PNG whose IHDR (valid CRC) declares width x height; IDAT inflates to `idat` zero bytes. */
function pngHeader(width: number, height: number, o: { interlaced?: boolean; idat?: number } = {}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  ihdr[12] = o.interlaced ? 1 : 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(Buffer.alloc(o.idat ?? 64))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** SOI, a frame header of the given coding (0xC0 baseline) and size, EOI. */
function jpegHeader(width: number, height: number, sof = 0xc0): Buffer {
  const sofSeg = Buffer.from([0xff, sof, 0, 17, 8, height >> 8, height & 255, width >> 8, width & 255, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sofSeg, Buffer.from([0xff, 0xd9])]);
}

describe("IDX files", () => {
  it("only regular files: a directory, a broken link, a FIFO", async () => {
    expect(await refused(idxDir((p) => mkdirSync(p)))).toMatch(/train-images-idx3-ubyte: is a directory, expected a regular file/);
    expect(await refused(idxDir((p) => symlinkSync(join(base, "nowhere"), p)))).toMatch(
      /train-images-idx3-ubyte: a broken symbolic link/,
    );
    // Opening a FIFO for reading blocks until a writer comes: the loader must not open it.
    expect(await refused(idxDir((p) => execFileSync("mkfifo", [p])))).toMatch(/train-images-idx3-ubyte: is a FIFO \(named pipe\), expected a regular file/);
  }, 20_000);

  it("header: magic, data type, dimensions, empty dimensions, no images", async () => {
    const bad = (mutate: (b: Buffer) => void) => {
      const b = images10();
      mutate(b);
      return b;
    };
    expect(await refused(idxDir(Buffer.from("GIF89a not idx")))).toMatch(/not an IDX file \(expected the magic bytes 00 00 08 03, found 47 49 46 38\)/);
    expect(await refused(idxDir(bad((b) => (b[2] = 0x0d))))).toMatch(/IDX data type 0xd is not supported \(expected 0x08/);
    expect(await refused(idxDir(idxFile([80, 8], new Uint8Array(640))))).toMatch(/has 2 dimension\(s\), expected 3 \(images\)/);
    expect(await refused(idxDir(idxFile([10, 0, 0], new Uint8Array(0))))).toMatch(/train-images-idx3-ubyte: has an empty dimension \(10x0x0\)/);
    expect(await refused(idxDir(idxFile([0, 8, 8], new Uint8Array(0)), idxFile([0], new Uint8Array(0))))).toMatch(
      /train-images-idx3-ubyte: holds no images \(dimensions 0x8x8\)/,
    );
    expect(await refused(idxDir(Buffer.from([0, 0, 8, 3, 0, 0])))).toMatch(/truncated header \(6 bytes, the header of 3 dimensions needs 16\)/);
    expect(await refused(idxDir(Buffer.alloc(0)))).toMatch(/0 bytes, too short for an IDX header/);
  });

  it("declared size against the file: truncated, trailing bytes, a header declaring more than the cap", async () => {
    const img = images10();
    expect(await refused(idxDir(img.subarray(0, img.length - 1)))).toMatch(/header says 10x8x8 = 640 bytes of data, the file has 639/);
    expect(await refused(idxDir(Buffer.concat([img, Buffer.alloc(5)])))).toMatch(/header says 10x8x8 = 640 bytes of data, the file has 645/);
    const huge = idxFile([4_000_000, 100, 100], new Uint8Array(0));
    expect(await refused(idxDir(huge))).toMatch(/header declares 4000000x100x100 = 40000000000 bytes, more than the limit of 2\.0 GiB/);
    expect(await refused(idxDir(gzipSync(huge)))).toMatch(/more than the limit of 2\.0 GiB/);
  });

  it("a gzip bomb stops at the header's size, long before it is inflated", async () => {
    // Concatenated gzip members are one valid stream: 400 copies of 1 MiB of zeros
    // after a header declaring 640 bytes, 400 MiB in all from a ~400 KB file.
    const zeros = gzipSync(Buffer.alloc(1024 * 1024));
    const bomb = Buffer.concat([gzipSync(idxFile([10, 8, 8], new Uint8Array(0))), ...Array<Buffer>(400).fill(zeros)]);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const msg = await refused(idxDir(bomb));
    expect(msg).toMatch(/train-images-idx3-ubyte: decompresses to more than its header's 10x8x8 = 640 bytes of data \(stopped at \d+ bytes\)/);
    const stoppedAt = Number(/stopped at (\d+)/.exec(msg)![1]);
    expect(stoppedAt).toBeLessThan(2 * 1024 * 1024);
  });

  it("truncated or corrupt gzip, and a shorter decompressed file", async () => {
    const gz = gzipSync(images10());
    expect(await refused(idxDir(gz.subarray(0, gz.length - 12)))).toMatch(/train-images-idx3-ubyte: corrupt gzip data/);
    expect(await refused(idxDir(gzipSync(images10().subarray(0, 600))))).toMatch(
      /header says 10x8x8 = 640 bytes of data, the decompressed file has 584/,
    );
  });

  it("image and label counts must agree, test files come in pairs", async () => {
    expect(await refused(idxDir(images10(), idxFile([9], new Uint8Array(9))))).toMatch(
      /train-labels-idx1-ubyte: has 9 labels but .*train-images-idx3-ubyte has 10 images/,
    );
    const d = idxDir(images10());
    writeFileSync(join(d, "t10k-images-idx3-ubyte"), images10());
    expect(await refused(d)).toMatch(/has .*t10k-images-idx3-ubyte but no t10k-labels-idx1-ubyte/);
  });

  it("records the largest label and where it is, for the check against the network", async () => {
    const labels = new Uint8Array(10);
    labels[7] = 12;
    const d = await loadDataset(idxDir(images10(), idxFile([10], labels)), opts);
    expect(d.labels).toEqual({ max: 12, source: expect.stringMatching(/train-labels-idx1-ubyte$/), index: 7 });
    expect(() => checkFits(d, 10)).toThrow(DatasetError);
    expect(() => checkFits(d, 10)).toThrow(/train-labels-idx1-ubyte: label 12 \(item 7\) is out of range: the network has 10 classes, labels 0 to 9/);
    expect(() => checkFits(d, 13)).not.toThrow();
  });
});

describe("image folders", () => {
  it("only regular image files: a directory named x.png, a broken link, a FIFO named .png", async () => {
    expect(await refused(folderDir((b) => mkdirSync(join(b, "x.png"))))).toMatch(/b\/x\.png: is a directory, expected an image file/);
    expect(await refused(folderDir((b) => symlinkSync(join(b, "gone.png"), join(b, "l.png"))))).toMatch(/b\/l\.png: a broken symbolic link/);
    expect(await refused(folderDir((b) => execFileSync("mkfifo", [join(b, "f.png")])))).toMatch(/b\/f\.png: is a FIFO \(named pipe\), expected an image file/);
  }, 20_000);

  it("a 30000x30000 PNG or JPEG is refused from its header, before decoding", async () => {
    expect(await refused(folderDir((b) => writeFileSync(join(b, "big.png"), pngHeader(30000, 30000))))).toMatch(
      /big\.png: 30000x30000 pixels \(900 megapixels\) is more than the limit of 50 megapixels/,
    );
    expect(await refused(folderDir((b) => writeFileSync(join(b, "big.jpg"), jpegHeader(30000, 30000))))).toMatch(
      /big\.jpg: 30000x30000 pixels \(900 megapixels\) is more than the limit of 50 megapixels/,
    );
    expect(LIMITS.imagePixels).toBe(50_000_000);
  });

  it("an interlaced PNG inflates only as far as its seven passes reach", async () => {
    // 5x3 RGBA, Adam7: 67 bytes of filtered data (filter byte + pixels per row of each pass).
    const ok = await loadDataset(folderDir((b) => writeFileSync(join(b, "i.png"), pngHeader(5, 3, { interlaced: true, idat: 67 }))), opts);
    expect(ok.train.count + ok.validation.count).toBe(3);
    const bomb = pngHeader(5, 3, { interlaced: true, idat: 16 * 1024 * 1024 });
    expect(await refused(folderDir((b) => writeFileSync(join(b, "i.png"), bomb)))).toMatch(
      /i\.png: the PNG's image data inflates to more than its 5x3 header allows \(67 bytes\)/,
    );
  });

  it("truncated, empty, mislabelled and unsupported images", async () => {
    const p = png(8, 8);
    expect(await refused(folderDir((b) => writeFileSync(join(b, "t.png"), p.subarray(0, p.length - 20))))).toMatch(
      /t\.png: cannot decode the PNG, the file is truncated \(no IEND chunk\)/,
    );
    const j = jpeg.encode({ width: 8, height: 8, data: Buffer.alloc(256, 90) }, 90).data;
    expect(await refused(folderDir((b) => writeFileSync(join(b, "t.jpg"), j.subarray(0, j.length >> 1))))).toMatch(
      /t\.jpg: cannot decode the JPEG, the file is truncated \(no end-of-image marker\)/,
    );
    expect(await refused(folderDir((b) => writeFileSync(join(b, "e.png"), Buffer.alloc(0))))).toMatch(/e\.png: not a PNG or JPEG image \(the file is empty\)/);
    expect(await refused(folderDir((b) => writeFileSync(join(b, "g.png"), Buffer.from("GIF89a...."))))).toMatch(
      /g\.png: not a PNG or JPEG image \(it starts with 47 49 46 38\)/,
    );
    expect(await refused(folderDir((b) => writeFileSync(join(b, "z.png"), pngHeader(0, 5))))).toMatch(/z\.png: the image is empty \(0x5 pixels\)/);
    expect(await refused(folderDir((b) => writeFileSync(join(b, "a.jpg"), jpegHeader(8, 8, 0xc9))))).toMatch(/a\.jpg: JPEG coding SOF9 is not supported/);
    // The format comes from the bytes: a JPEG named .png decodes.
    const d = await loadDataset(folderDir((b) => writeFileSync(join(b, "really-a-jpeg.png"), j)), opts);
    expect(d.train.count + d.validation.count).toBe(3);
  });

  it("non-image files, empty class folders, split class mismatch", async () => {
    expect(await refused(folderDir((b) => writeFileSync(join(b, "notes.txt"), "hi")))).toMatch(
      /b\/notes\.txt: not an image file name \(class folders hold \.png, \.jpg and \.jpeg files only\)/,
    );
    // Hidden files are not part of the dataset.
    expect((await loadDataset(folderDir((b) => writeFileSync(join(b, ".DS_Store"), "x")), opts)).classes).toBe(2);
    const d = folderDir(() => {});
    mkdirSync(join(d, "c"));
    expect(await refused(d)).toMatch(/\/c: empty class folder/);
    const split = fresh();
    for (const s of ["train", "test"]) for (const c of ["a", "b"]) {
      mkdirSync(join(split, s, c), { recursive: true });
      writeFileSync(join(split, s, c, "0.png"), png(4, 4));
    }
    mkdirSync(join(split, "test", "zebra"));
    expect(await refused(split)).toMatch(/test\/zebra: class folder not in the training split \(its classes: a, b\)/);
  });

  it("class folders must match the network's classes", async () => {
    const d = await loadDataset(folderDir(() => {}), opts);
    expect(() => checkFits(d, 10)).toThrow(/: has 2 class folders \(a, b\), the network has 10 classes/);
    expect(() => checkFits(d, 2)).not.toThrow();
  });
});

it("the dataset path must be a directory", async () => {
  const d = fresh();
  writeFileSync(join(d, "file"), "x");
  expect(await refused(join(d, "file"))).toMatch(/file: is a file, expected a directory/);
  execFileSync("mkfifo", [join(d, "fifo")]);
  expect(await refused(join(d, "fifo"))).toMatch(/fifo: is a FIFO \(named pipe\), expected a directory/);
});

it("zero and single images are refused, not trained to a NaN loss", async () => {
  const one = idxDir(idxFile([1, 8, 8], new Uint8Array(64)), idxFile([1], new Uint8Array(1)));
  expect(await refused(one)).toMatch(/has 1 training image; at least 2 are needed/);
  const empty = { train: { x: new Float32Array(0), y: new Int32Array(0), count: 0 }, classes: 0, format: "idx" } as unknown as Dataset;
  expect(() => checkFits(empty, 10)).toThrow(/no training images/);
});

// The generated program imports netc/runtime, i.e. dist/ (built by `npx tsc -p tsconfig.json`).
const built = existsSync(join(root, "dist", "runtime", "index.js"));

describe.runIf(built)("the generated training program", () => {
  it("prints a bad dataset as one `error:` line and exits non-zero, without a stack trace", async () => {
    const dir = fresh();
    // Resolve `netc/runtime` from this temp folder as the package's users do.
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules", "netc"));
    const files = await tfjsSources(auxGraph(), { js: true, specPath: "aux.net", netcVersion: "test" });
    for (const [name, text] of files) writeFileSync(join(dir, name), text);
    const data = join(dir, "data");
    writeIdxFixture(data, { count: 16, size: 12, classes: 10 });
    const labels = new Uint8Array(16);
    labels[3] = 12; // the network has 10 classes
    writeFileSync(join(data, "t10k-labels-idx1-ubyte"), idxFile([16], labels));
    const r = spawnSync(process.execPath, ["train.js", "--data", data, "--epochs", "1", "--quiet"], { cwd: dir, encoding: "utf8" });
    expect(r.stderr).toMatch(/^error: .*t10k-labels-idx1-ubyte: label 12 \(item 3\) is out of range: the network has 10 classes, labels 0 to 9$/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stdout).not.toMatch(/epoch/);
    expect(r.status).toBe(1);
  }, 60_000);
});
