// Loading a training set: IDX files or an image folder, converted to the
// network's input shape, with a seeded held-out validation split and the test
// split when the dataset has one.

import { statSync } from "node:fs";
import { join } from "node:path";
import { rng } from "../../ir/weights.js";
import { DatasetError } from "./errors.js";
import { kindOf } from "../../util/file-kind.js";
import { fsError } from "./files.js";
import { classFolders, readImageFolder } from "./folder.js";
import { findIdx, readIdxPair } from "./idx.js";
import { allocFloats, writeImage } from "./image.js";
import type { Preprocess } from "../../ir/graph.js";
import { applyPreprocess, DEFAULT_IMAGE_PREPROCESS } from "../../ir/preprocess.js";

export { DatasetError } from "./errors.js";
export { LIMITS } from "./files.js";

export interface Split {
  /** NHWC float32: the pixels after the spec's preprocessing ([0, 1] without one). */
  x: Float32Array;
  y: Int32Array;
  count: number;
}

export interface Dataset {
  /** [height, width, channels]. */
  shape: [number, number, number];
  classes: number;
  classNames: string[];
  train: Split;
  validation: Split;
  test: Split | undefined;
  /** "idx" or "folder", for messages. */
  format: string;
  /** The largest label and where it is, so that training can name the file when it exceeds the network's classes. */
  labels?: LabelRange;
}

export interface LabelRange {
  max: number;
  /** The labels file (IDX) or the dataset folder. */
  source: string;
  /** Position of `max` in `source` (IDX). */
  index?: number;
}

export interface LoadOptions {
  /** The network's input, channels last: [height, width, channels]. */
  inputShape: number[];
  /** The spec's input preprocessing (src/ir/graph.ts); without it, pixels are scaled to [0, 1]. */
  preprocess?: Preprocess;
  validationSplit: number;
  /** Use at most this many training (and test) images. */
  limit?: number;
  seed: number;
}

export async function loadDataset(dir: string | undefined, opts: LoadOptions): Promise<Dataset> {
  try {
    return await load(dir, opts);
  } catch (e) {
    // Any file-system error left (EIO, EACCES on a nested file) still names its path.
    const path = (e as NodeJS.ErrnoException).path;
    if (!(e instanceof DatasetError) && typeof path === "string") throw fsError(path, e);
    throw e;
  }
}

async function load(dir: string | undefined, opts: LoadOptions): Promise<Dataset> {
  if (!dir) throw new DatasetError("no dataset given: pass --data DIR (IDX files or one folder per class)");
  const st = statSync(dir, { throwIfNoEntry: false });
  if (!st) throw new DatasetError(`${dir}: no such directory`);
  if (!st.isDirectory()) throw new DatasetError(`${dir}: is ${st.isFile() ? "a file" : kindOf(st)}, expected a directory (IDX files or one folder per class)`);
  if (opts.inputShape.length !== 3) {
    throw new DatasetError(`the network takes input [${opts.inputShape}]; image datasets need [height, width, channels]`);
  }
  const shape = opts.inputShape as [number, number, number];
  if (![1, 3].includes(shape[2])) throw new DatasetError(`images convert to 1 or 3 channels, the network wants ${shape[2]}`);
  const raw = findIdx(dir, "train", "images") ? await loadIdx(dir, shape, opts.limit) : loadFolder(dir, shape, opts.limit);
  if (raw.train.count === 0) throw new DatasetError(`${dir}: no training images`);
  if (opts.validationSplit > 0 && raw.train.count < 2) {
    throw new DatasetError(`${dir}: has 1 training image; at least 2 are needed (one is held out for validation)`);
  }
  // The one place pixels become the network's input values (writeImage leaves them 0..255).
  for (const part of [raw.train, raw.test]) if (part) prepare(part.x, shape, opts.preprocess);
  const { train, validation } = split(raw.train, opts.validationSplit, opts.seed, shape, dir);
  return {
    shape,
    classes: raw.classNames.length,
    classNames: raw.classNames,
    train,
    validation,
    test: raw.test,
    format: raw.format,
    labels: raw.labels,
  };
}

/** BGR for a spec that says `order bgr`, then its preprocessing (or 1/255), in place on NHWC pixels. */
function prepare(x: Float32Array, [, , c]: [number, number, number], p: Preprocess | undefined): void {
  if (p?.order === "bgr" && c === 3) {
    for (let i = 0; i < x.length; i += 3) {
      const r = x[i]!;
      x[i] = x[i + 2]!;
      x[i + 2] = r;
    }
  }
  applyPreprocess(p ?? DEFAULT_IMAGE_PREPROCESS, x, c, 1, true);
}

interface Raw {
  train: Split;
  test: Split | undefined;
  classNames: string[];
  format: string;
  labels: LabelRange;
}

async function loadIdx(dir: string, shape: [number, number, number], limit?: number): Promise<Raw> {
  const trainImages = findIdx(dir, "train", "images")!;
  const trainLabels = findIdx(dir, "train", "labels");
  if (!trainLabels) throw new DatasetError(`${dir}: has ${trainImages} but no train-labels-idx1-ubyte[.gz]`);
  const train = await idxSplit(trainImages, trainLabels, shape, limit);
  const testImages = findIdx(dir, "t10k", "images");
  const testLabels = findIdx(dir, "t10k", "labels");
  if (Boolean(testImages) !== Boolean(testLabels)) {
    throw new DatasetError(`${dir}: has ${testImages ?? testLabels} but no ${testImages ? "t10k-labels-idx1-ubyte[.gz]" : "t10k-images-idx3-ubyte[.gz]"}`);
  }
  const test = testImages && testLabels ? await idxSplit(testImages, testLabels, shape, limit) : undefined;
  // The test split's labels count too: a label the network cannot output is an error in either.
  const labels = maxLabel(train.y, trainLabels);
  if (test) {
    const t = maxLabel(test.y, testLabels!);
    if (t.max > labels.max) Object.assign(labels, t);
  }
  return { train, test, classNames: Array.from({ length: labels.max + 1 }, (_, i) => String(i)), format: "idx", labels };
}

function maxLabel(y: Int32Array, source: string): LabelRange {
  let index = 0;
  for (let i = 1; i < y.length; i++) if (y[i]! > y[index]!) index = i;
  return { max: y[index] ?? 0, source, index };
}

async function idxSplit(imagesPath: string, labelsPath: string, shape: [number, number, number], limit?: number): Promise<Split> {
  const { images, labels } = await readIdxPair(imagesPath, labelsPath);
  const [n0, h0, w0] = images.dims as [number, number, number];
  const n = limit === undefined ? n0 : Math.min(limit, n0);
  const per = shape[0] * shape[1] * shape[2];
  const x = allocFloats(imagesPath, n, shape);
  for (let i = 0; i < n; i++) writeImage(images.data.subarray(i * h0 * w0, (i + 1) * h0 * w0), [h0, w0, 1], x, i * per, shape);
  return { x, y: Int32Array.from(labels.subarray(0, n)), count: n };
}

function loadFolder(dir: string, shape: [number, number, number], limit?: number): Raw {
  const sub = classFolders(dir);
  // DIR/train + DIR/test (or val) when present, else DIR itself holds the classes.
  const trainDir = sub.includes("train") ? join(dir, "train") : dir;
  const testName = sub.includes("test") ? "test" : sub.includes("val") ? "val" : undefined;
  if (trainDir === dir && sub.length < 2) {
    throw new DatasetError(
      `${dir}: expected IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]) or one subfolder per class`,
    );
  }
  const train = readImageFolder(trainDir, shape, undefined, limit);
  let test: Split | undefined;
  if (trainDir !== dir && testName) {
    const t = readImageFolder(join(dir, testName), shape, train.classes, limit);
    test = { x: t.x, y: t.y, count: t.y.length };
  }
  const labels = { max: train.classes.length - 1, source: trainDir };
  return { train: { x: train.x, y: train.y, count: train.y.length }, test, classNames: train.classes, format: "folder", labels };
}

/** Seeded shuffle, then the first `fraction` of it is held out for validation. */
function split(
  all: Split,
  fraction: number,
  seed: number,
  shape: [number, number, number],
  source: string,
): { train: Split; validation: Split } {
  const order = shuffled(all.count, seed);
  // At least one validation image when there is a validation split: an empty one reports NaN accuracy.
  const nVal = fraction > 0 ? Math.min(Math.max(Math.round(all.count * fraction), 1), all.count - 1) : 0;
  const take = (idx: Int32Array): Split => {
    const per = shape[0] * shape[1] * shape[2];
    const x = allocFloats(source, idx.length, shape);
    const y = new Int32Array(idx.length);
    idx.forEach((j, i) => {
      x.set(all.x.subarray(j * per, (j + 1) * per), i * per);
      y[i] = all.y[j]!;
    });
    return { x, y, count: idx.length };
  };
  return { validation: take(order.subarray(0, nVal)), train: take(order.subarray(nVal)) };
}

/** Fisher-Yates with netc's seeded PRNG. */
export function shuffled(n: number, seed: number): Int32Array {
  const next = rng(seed);
  const a = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}
