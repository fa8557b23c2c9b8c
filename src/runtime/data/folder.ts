// An image folder with one subfolder per class (ImageNet / Keras layout):
// DIR/<class>/*.png|jpg|jpeg. Classes are numbered in sorted name order.
// Hidden entries (.DS_Store, .git) are skipped; anything else in a class folder
// must be a PNG or JPEG file, so that the set trained on is the set on disk.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { decodeImage } from "./decode.js";
import { DatasetError } from "./errors.js";
import { kindOf } from "../../util/file-kind.js";
import { fsError, statFollow } from "./files.js";
import { allocFloats, writeImage } from "./image.js";


const IMAGE = /\.(png|jpe?g)$/i;

function list(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => !n.startsWith(".")).sort();
  } catch (e) {
    throw fsError(dir, e);
  }
}

/** The subfolders of `dir` (links to folders count); a broken link among them is an error. */
export function classFolders(dir: string): string[] {
  return list(dir).filter((n) => statFollow(join(dir, n)).isDirectory());
}

/** The image files of one class folder, checked: regular files with an image extension, at least one. */
function classImages(folder: string): string[] {
  const names = list(folder);
  for (const n of names) {
    const path = join(folder, n);
    const st = statFollow(path);
    if (!IMAGE.test(n)) {
      throw new DatasetError(`${path}: not an image file name (class folders hold .png, .jpg and .jpeg files only)`);
    }
    if (!st.isFile()) throw new DatasetError(`${path}: is ${kindOf(st)}, expected an image file`);
  }
  if (names.length === 0) throw new DatasetError(`${folder}: empty class folder (every class needs at least one .png or .jpg image)`);
  return names.map((n) => join(folder, n));
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
  const found = classFolders(dir);
  const names = classes ?? found;
  if (names.length < 2) {
    throw new DatasetError(`${dir}: expected one subfolder per class (at least two), found ${names.length}`);
  }
  if (classes) {
    const extra = found.filter((n) => !classes.includes(n));
    if (extra.length > 0) {
      throw new DatasetError(`${join(dir, extra[0]!)}: class folder not in the training split (its classes: ${classes.join(", ")})`);
    }
    const missing = classes.filter((n) => !found.includes(n));
    if (missing.length > 0) throw new DatasetError(`${join(dir, missing[0]!)}: missing class folder (the training split has it)`);
  }
  const byClass = names.map((name) => classImages(join(dir, name)));
  // Interleave classes so that --limit keeps every class: take the i-th image of each class in turn.
  const total = byClass.reduce((a, l) => a + l.length, 0);
  const ordered: { path: string; label: number }[] = [];
  for (let i = 0; ordered.length < total; i++) {
    byClass.forEach((files, label) => {
      if (i < files.length) ordered.push({ path: files[i]!, label });
    });
  }
  const take = limit === undefined ? ordered : ordered.slice(0, limit);
  const per = shape[0] * shape[1] * shape[2];
  const x = allocFloats(dir, take.length, shape);
  const y = new Int32Array(take.length);
  take.forEach((f, i) => {
    const img = decodeImage(f.path);
    writeImage(img.data, [img.height, img.width, 4], x, i * per, shape);
    y[i] = f.label;
  });
  return { x, y, classes: names };
}
