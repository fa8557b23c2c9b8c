// An image folder with one subfolder per class (ImageNet / Keras layout):
// DIR/<class>/*.png|jpg|jpeg. Classes are numbered in sorted name order.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { DatasetError } from "./errors.js";
import { writeImage } from "./image.js";

const IMAGE = /\.(png|jpe?g)$/i;

export function classFolders(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => !n.startsWith(".") && statSync(join(dir, n)).isDirectory())
    .sort();
}

export interface Decoded {
  width: number;
  height: number;
  /** RGBA, 0..255. */
  data: Uint8Array;
}

export function decodeImage(path: string): Decoded {
  const buf = readFileSync(path);
  try {
    if (/\.png$/i.test(path)) {
      const png = PNG.sync.read(buf);
      return { width: png.width, height: png.height, data: png.data };
    }
    const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true });
    return { width: img.width, height: img.height, data: img.data };
  } catch (e) {
    throw new DatasetError(`${path}: cannot decode the image: ${(e as Error).message}`);
  }
}

/**
 * Reads every image under DIR/<class>/ into NHWC floats of `shape`. `classes`
 * fixes the class order (the training split's), so a test folder numbers alike.
 */
export function readImageFolder(
  dir: string,
  shape: [number, number, number],
  classes?: string[],
  limit?: number,
): { x: Float32Array; y: Int32Array; classes: string[] } {
  const names = classes ?? classFolders(dir);
  if (names.length < 2) {
    throw new DatasetError(`${dir}: expected one subfolder per class (at least two), found ${names.length}`);
  }
  const files: { path: string; label: number }[] = [];
  names.forEach((name, label) => {
    let entries: string[];
    try {
      entries = readdirSync(join(dir, name)).filter((f) => IMAGE.test(f)).sort();
    } catch {
      throw new DatasetError(`${join(dir, name)}: missing class folder (the training split has it)`);
    }
    for (const f of entries) files.push({ path: join(dir, name, f), label });
  });
  if (files.length === 0) throw new DatasetError(`${dir}: no .png or .jpg images in its class folders`);
  // Interleave classes so that --limit keeps every class: take the i-th image of each class in turn.
  const byClass = names.map((_, label) => files.filter((f) => f.label === label));
  const ordered: typeof files = [];
  for (let i = 0; ordered.length < files.length; i++) for (const list of byClass) if (i < list.length) ordered.push(list[i]!);
  const take = limit === undefined ? ordered : ordered.slice(0, limit);
  const per = shape[0] * shape[1] * shape[2];
  const x = new Float32Array(take.length * per);
  const y = new Int32Array(take.length);
  take.forEach((f, i) => {
    const img = decodeImage(f.path);
    writeImage(img.data, [img.height, img.width, 4], x, i * per, shape);
    y[i] = f.label;
  });
  return { x, y, classes: names };
}
