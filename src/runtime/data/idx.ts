// IDX files, the MNIST / Fashion-MNIST format: a big-endian header (two zero
// bytes, a type byte, the number of dimensions, one uint32 per dimension), then
// the data. gzip-compressed files (.gz) are read transparently.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { DatasetError } from "./errors.js";

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Reads an unsigned-byte IDX file; `what` says what the caller expected ("images", "labels"). */
export function readIdx(path: string, expectedDims: number): IdxArray {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
    if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  } catch (e) {
    throw new DatasetError(`${path}: cannot read: ${(e as Error).message}`);
  }
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) {
    throw new DatasetError(`${path}: not an IDX file (expected the magic bytes 00 00 08 0${expectedDims})`);
  }
  if (buf[2] !== 0x08) {
    throw new DatasetError(`${path}: IDX data type 0x${buf[2]!.toString(16)} is not supported (expected 0x08, unsigned bytes)`);
  }
  const ndims = buf[3]!;
  if (ndims !== expectedDims) {
    throw new DatasetError(`${path}: has ${ndims} dimension(s), expected ${expectedDims}`);
  }
  const header = 4 + 4 * ndims;
  if (buf.length < header) throw new DatasetError(`${path}: truncated header`);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const n = dims.reduce((a, b) => a * b, 1);
  if (buf.length - header !== n) {
    throw new DatasetError(`${path}: header says ${dims.join("x")} = ${n} bytes of data, the file has ${buf.length - header}`);
  }
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + header, n) };
}

/** Both spellings of the MNIST names, gzipped or not: train-images-idx3-ubyte, train-images.idx3-ubyte. */
export function findIdx(dir: string, prefix: "train" | "t10k", kind: "images" | "labels"): string | undefined {
  const n = kind === "images" ? 3 : 1;
  for (const sep of ["-", "."]) {
    for (const ext of ["", ".gz"]) {
      const p = join(dir, `${prefix}-${kind}${sep}idx${n}-ubyte${ext}`);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

/** Images [N, H, W] and labels [N] of one split, checked against each other. */
export function readIdxPair(imagesPath: string, labelsPath: string): { images: IdxArray; labels: Uint8Array } {
  const images = readIdx(imagesPath, 3);
  const labels = readIdx(labelsPath, 1);
  if (images.dims[0] !== labels.dims[0]) {
    throw new DatasetError(`${labelsPath}: has ${labels.dims[0]} labels but ${imagesPath} has ${images.dims[0]} images`);
  }
  return { images, labels: labels.data };
}
