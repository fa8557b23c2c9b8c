// Converting decoded images to the network's input: bilinear resize and channel
// conversion, into a float32 NHWC buffer of raw 0..255 values (the spec's input
// preprocessing, or 1/255 without one, is applied to the whole split afterwards).

import { DatasetError } from "./errors.js";

/**
 * The float32 buffer for `count` images of `shape`; a dataset too large for one
 * is a DatasetError with the figures, not a RangeError from the allocator.
 */
export function allocFloats(source: string, count: number, shape: [number, number, number]): Float32Array {
  const n = count * shape[0] * shape[1] * shape[2];
  try {
    return new Float32Array(n);
  } catch {
    const gib = ((n * 4) / 1024 ** 3).toFixed(1);
    throw new DatasetError(`${source}: ${count} images of ${shape.join("x")} need ${gib} GiB as float32, more than can be allocated; pass --limit N`);
  }
}

/**
 * Writes one image (HWC, `src` values 0..255) into `dst` at `offset` with shape
 * [H, W, C]. Resizing is bilinear with half-pixel centres (PyTorch's
 * align_corners=False, tf.image.resizeBilinear with halfPixelCenters); gray
 * becomes RGB by repetition, RGB becomes gray by ITU-R 601 luma; alpha is dropped.
 */
export function writeImage(
  src: ArrayLike<number>,
  [h0, w0, c0]: [number, number, number],
  dst: Float32Array,
  offset: number,
  [h, w, c]: [number, number, number],
): void {
  const px = (y: number, x: number, k: number) => src[(y * w0 + x) * c0 + k]!;
  const channel = (y: number, x: number, k: number): number => {
    if (c0 === c || (c0 === 4 && c === 3)) return px(y, x, k);
    if (c0 === 1) return px(y, x, 0);
    // RGB(A) -> gray
    return 0.299 * px(y, x, 0) + 0.587 * px(y, x, 1) + 0.114 * px(y, x, 2);
  };
  if (h0 === h && w0 === w) {
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) dst[offset + (y * w + x) * c + k] = channel(y, x, k);
    return;
  }
  const sy = h0 / h;
  const sx = w0 / w;
  for (let y = 0; y < h; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h0 - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h0 - 1);
    const dy = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w0 - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w0 - 1);
      const dx = fx - x0;
      for (let k = 0; k < c; k++) {
        const top = channel(y0, x0, k) * (1 - dx) + channel(y0, x1, k) * dx;
        const bottom = channel(y1, x0, k) * (1 - dx) + channel(y1, x1, k) * dx;
        dst[offset + (y * w + x) * c + k] = top * (1 - dy) + bottom * dy;
      }
    }
  }
}
