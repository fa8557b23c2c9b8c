// Decoding one PNG or JPEG of a dataset. The format comes from the file's first
// bytes, not its name; the dimensions come from the PNG IHDR or the JPEG frame
// header and are checked against the pixel cap before anything is inflated.

import { inflateSync } from "node:zlib";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { DatasetError } from "./errors.js";
import { LIMITS, readRegular } from "./files.js";

export interface Decoded {
  width: number;
  height: number;
  /** RGBA, 0..255. */
  data: Uint8Array;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function decodeImage(path: string): Decoded {
  const buf = readRegular(path, LIMITS.imageFileBytes);
  if (buf.length >= 8 && buf.subarray(0, 8).equals(PNG_SIGNATURE)) return decodePng(path, buf);
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return decodeJpeg(path, buf);
  const start = [...buf.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new DatasetError(
    `${path}: not a PNG or JPEG image (${buf.length === 0 ? "the file is empty" : `it starts with ${start}`}); netc reads PNG and JPEG only`,
  );
}

function checkSize(path: string, width: number, height: number): void {
  if (width === 0 || height === 0) throw new DatasetError(`${path}: the image is empty (${width}x${height} pixels)`);
  if (width * height > LIMITS.imagePixels) {
    const mp = ((width * height) / 1e6).toFixed(0);
    throw new DatasetError(`${path}: ${width}x${height} pixels (${mp} megapixels) is more than the limit of ${LIMITS.imagePixels / 1e6} megapixels`);
  }
}

function decodePng(path: string, buf: Buffer): Decoded {
  // The first chunk must be IHDR: length 13, then width and height.
  if (buf.length < 33 || buf.toString("latin1", 12, 16) !== "IHDR") {
    throw new DatasetError(`${path}: truncated or corrupt PNG (no IHDR header chunk)`);
  }
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  checkSize(path, width, height);
  // pngjs caps inflation at the image size for plain PNGs but not for interlaced ones.
  if (buf[28] === 1) checkInterlacedData(path, buf, width, height);
  try {
    const png = PNG.sync.read(buf);
    return { width: png.width, height: png.height, data: png.data };
  } catch (e) {
    const truncated = buf.lastIndexOf("IEND", undefined, "latin1") < 0;
    throw new DatasetError(`${path}: cannot decode the PNG${truncated ? ", the file is truncated (no IEND chunk)" : ""}: ${(e as Error).message}`);
  }
}

const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Inflates an interlaced PNG's IDAT data with the output capped at what its seven passes can hold. */
function checkInterlacedData(path: string, buf: Buffer, width: number, height: number): void {
  const bpp = (CHANNELS[buf[25]!] ?? 4) * Math.max(buf[24]!, 1);
  let bound = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const cols = width > x0 ? Math.ceil((width - x0) / dx) : 0;
    const rows = height > y0 ? Math.ceil((height - y0) / dy) : 0;
    if (cols > 0 && rows > 0) bound += rows * (1 + Math.ceil((cols * bpp) / 8));
  }
  const idat: Buffer[] = [];
  for (let i = 8; i + 8 <= buf.length; ) {
    const length = buf.readUInt32BE(i);
    const type = buf.toString("latin1", i + 4, i + 8);
    if (type === "IDAT") idat.push(buf.subarray(i + 8, Math.min(i + 8 + length, buf.length)));
    if (type === "IEND") break;
    i += 12 + length;
  }
  try {
    inflateSync(Buffer.concat(idat), { maxOutputLength: Math.max(bound, 1) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new DatasetError(`${path}: the PNG's image data inflates to more than its ${width}x${height} header allows (${bound} bytes)`);
    }
    // Corrupt or truncated data: pngjs says what is wrong below.
  }
}

/** The frame header's width, height and component count, scanning the marker segments before it. */
function jpegFrame(path: string, buf: Buffer): { width: number; height: number; components: number } {
  let i = 2;
  while (i + 4 <= buf.length) {
    if (buf[i] !== 0xff) throw new DatasetError(`${path}: corrupt JPEG (expected a marker at byte ${i})`);
    const m = buf[i + 1]!;
    if (m === 0xff) {
      i++; // fill byte
      continue;
    }
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      i += 2;
      continue;
    }
    if (m === 0xda || m === 0xd9) break; // scan data or end before any frame header
    const length = buf.readUInt16BE(i + 2);
    // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC).
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (i + 10 > buf.length) break;
      if (m !== 0xc0 && m !== 0xc1 && m !== 0xc2) {
        throw new DatasetError(`${path}: JPEG coding SOF${m - 0xc0} is not supported (baseline, extended and progressive are)`);
      }
      return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7), components: buf[i + 9]! };
    }
    i += 2 + length;
  }
  throw new DatasetError(`${path}: truncated or corrupt JPEG (no frame header)`);
}

function decodeJpeg(path: string, buf: Buffer): Decoded {
  const frame = jpegFrame(path, buf);
  checkSize(path, frame.width, frame.height);
  if (![1, 3, 4].includes(frame.components)) {
    throw new DatasetError(`${path}: JPEG with ${frame.components} colour components is not supported (1, 3 or 4)`);
  }
  try {
    const img = jpeg.decode(buf, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: LIMITS.imagePixels / 1e6,
      maxMemoryUsageInMB: 1024,
    });
    return { width: img.width, height: img.height, data: img.data };
  } catch (e) {
    const truncated = !(buf[buf.length - 2] === 0xff && buf[buf.length - 1] === 0xd9);
    throw new DatasetError(`${path}: cannot decode the JPEG${truncated ? ", the file is truncated (no end-of-image marker)" : ""}: ${(e as Error).message}`);
  }
}
