// IDX files, the MNIST / Fashion-MNIST format: a big-endian header (two zero
// bytes, a type byte, the number of dimensions, one uint32 per dimension), then
// the data. gzip-compressed files (.gz) are read transparently.
//
// The header is checked before the data is read: a file whose size disagrees
// with it, or a gzip stream that inflates past it, stops at once.

import { lstatSync } from "node:fs";
import { join } from "node:path";
import { createGunzip } from "node:zlib";
import { DatasetError } from "./errors.js";
import { LIMITS, RegularFile, formatBytes } from "./files.js";

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

interface Header {
  dims: number[];
  /** Header length in bytes. */
  start: number;
  /** Data length the dimensions imply. */
  bytes: number;
}

const MAGIC = (n: number) => `00 00 08 0${n}`;
const hex = (b: Uint8Array) => [...b].map((v) => v.toString(16).padStart(2, "0")).join(" ");

/**
 * The header at the start of `buf`, `undefined` while `buf` is too short to hold it
 * (unless `complete`, when that is an error). `kind` says what the caller expects.
 */
function parseHeader(path: string, buf: Buffer, expectedDims: number, kind: string, complete: boolean): Header | undefined {
  if (buf.length < 4) {
    if (!complete) return undefined;
    throw new DatasetError(`${path}: ${buf.length} bytes, too short for an IDX header (expected the magic bytes ${MAGIC(expectedDims)})`);
  }
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new DatasetError(`${path}: not an IDX file (expected the magic bytes ${MAGIC(expectedDims)}, found ${hex(buf.subarray(0, 4))})`);
  }
  if (buf[2] !== 0x08) {
    throw new DatasetError(`${path}: IDX data type 0x${buf[2]!.toString(16)} is not supported (expected 0x08, unsigned bytes)`);
  }
  const ndims = buf[3]!;
  if (ndims !== expectedDims) {
    throw new DatasetError(`${path}: has ${ndims} dimension(s), expected ${expectedDims} (${kind})`);
  }
  const start = 4 + 4 * ndims;
  if (buf.length < start) {
    if (!complete) return undefined;
    throw new DatasetError(`${path}: truncated header (${buf.length} bytes, the header of ${ndims} dimensions needs ${start})`);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const shape = dims.join("x");
  if (dims[0] === 0) throw new DatasetError(`${path}: holds no ${kind} (dimensions ${shape})`);
  if (dims.some((d) => d === 0)) {
    throw new DatasetError(`${path}: has an empty dimension (${shape}); every dimension must be at least 1`);
  }
  if (ndims === 3 && dims[1]! * dims[2]! > LIMITS.imagePixels) {
    throw new DatasetError(`${path}: images of ${dims[1]}x${dims[2]} pixels, more than the limit of ${LIMITS.imagePixels / 1e6} megapixels`);
  }
  const bytes = dims.reduce((a, b) => a * b, 1);
  if (bytes > LIMITS.idxBytes) {
    throw new DatasetError(`${path}: header declares ${shape} = ${bytes} bytes, more than the limit of ${formatBytes(LIMITS.idxBytes)}`);
  }
  return { dims, start, bytes };
}

/** Reads an unsigned-byte IDX file; `kind` says what it holds ("images", "labels"), for messages. */
async function readIdx(path: string, expectedDims: number, kind: string): Promise<IdxArray> {
  const file = RegularFile.open(path, LIMITS.idxBytes + 4 + 4 * 255);
  let header: Header;
  let data: Buffer;
  try {
    const head = file.read(0, Math.min(file.size, 4 + 4 * 255));
    if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      return await gunzipIdx(path, file.readAll(), expectedDims, kind);
    }
    header = parseHeader(path, head, expectedDims, kind, true)!;
    if (file.size - header.start !== header.bytes) {
      throw new DatasetError(
        `${path}: header says ${header.dims.join("x")} = ${header.bytes} bytes of data, the file has ${file.size - header.start}`,
      );
    }
    data = file.read(header.start, header.bytes);
  } finally {
    file.close();
  }
  if (data.length !== header.bytes) throw new DatasetError(`${path}: shrank while being read`);
  return { dims: header.dims, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * Inflates a gzipped IDX file, stopping as soon as the output passes what the
 * header declares: a gzip bomb costs at most one chunk more than the real data.
 */
function gunzipIdx(path: string, compressed: Buffer, expectedDims: number, kind: string): Promise<IdxArray> {
  return new Promise((resolve, reject) => {
    const z = createGunzip({ chunkSize: 256 * 1024 });
    const chunks: Buffer[] = [];
    let total = 0;
    let header: Header | undefined;
    let done = false;
    const fail = (e: unknown) => {
      if (done) return;
      done = true;
      z.destroy();
      reject(e);
    };
    z.on("data", (chunk: Buffer) => {
      if (done) return;
      chunks.push(chunk);
      total += chunk.length;
      try {
        header ??= parseHeader(path, chunks.length === 1 ? chunk : Buffer.concat(chunks), expectedDims, kind, false);
      } catch (e) {
        fail(e);
        return;
      }
      const cap = header ? header.start + header.bytes : 4 + 4 * 255;
      if (total > cap) {
        fail(
          new DatasetError(
            header
              ? `${path}: decompresses to more than its header's ${header.dims.join("x")} = ${header.bytes} bytes of data (stopped at ${total} bytes)`
              : `${path}: not an IDX file`,
          ),
        );
      }
    });
    z.on("error", (e) => fail(new DatasetError(`${path}: corrupt gzip data (${e.message})`)));
    z.on("end", () => {
      if (done) return;
      done = true;
      const buf = Buffer.concat(chunks, total);
      try {
        const h = header ?? parseHeader(path, buf, expectedDims, kind, true)!;
        if (total - h.start !== h.bytes) {
          throw new DatasetError(
            `${path}: header says ${h.dims.join("x")} = ${h.bytes} bytes of data, the decompressed file has ${total - h.start}`,
          );
        }
        resolve({ dims: h.dims, data: new Uint8Array(buf.buffer, buf.byteOffset + h.start, h.bytes) });
      } catch (e) {
        reject(e);
      }
    });
    z.end(compressed);
  });
}

/**
 * Both spellings of the MNIST names, gzipped or not: train-images-idx3-ubyte,
 * train-images.idx3-ubyte. A name that exists as anything (a directory, a broken
 * link) counts, so that reading it reports what is wrong with it.
 */
export function findIdx(dir: string, prefix: "train" | "t10k", kind: "images" | "labels"): string | undefined {
  const n = kind === "images" ? 3 : 1;
  for (const sep of ["-", "."]) {
    for (const ext of ["", ".gz"]) {
      const p = join(dir, `${prefix}-${kind}${sep}idx${n}-ubyte${ext}`);
      if (lstatSync(p, { throwIfNoEntry: false })) return p;
    }
  }
  return undefined;
}

/** Images [N, H, W] and labels [N] of one split, checked against each other. */
export async function readIdxPair(imagesPath: string, labelsPath: string): Promise<{ images: IdxArray; labels: Uint8Array }> {
  const images = await readIdx(imagesPath, 3, "images");
  const labels = await readIdx(labelsPath, 1, "labels");
  if (images.dims[0] !== labels.dims[0]) {
    throw new DatasetError(`${labelsPath}: has ${labels.dims[0]} labels but ${imagesPath} has ${images.dims[0]} images`);
  }
  return { images, labels: labels.data };
}
