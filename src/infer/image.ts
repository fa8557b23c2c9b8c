// Reads a PNG or JPEG into a [3, H, W] float tensor in [0, 1], resized
// bilinearly (half-pixel centres, as PyTorch's align_corners=False).
// Decoding is the dataset loader's: the same regular-file check, size cap and
// pixel cap before anything is inflated, for one image as for a dataset.
import type { Decoded } from "../runtime/data/decode.js";

export { decodeImage } from "../runtime/data/decode.js";

/** CHW float32 of `channels` (1 = grey, 3 = RGB) at height x width, values in [0, 1]. */
export function toTensor(img: Decoded, channels: number, height: number, width: number): Float32Array {
  const out = new Float32Array(channels * height * width);
  const sy = img.height / height;
  const sx = img.width / width;
  const px = (x: number, y: number, c: number) => img.data[(y * img.width + x) * 4 + c]!;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, img.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, img.width - 1);
      const wx = fx - x0;
      const sample = (c: number) =>
        (px(x0, y0, c) * (1 - wx) + px(x1, y0, c) * wx) * (1 - wy) + (px(x0, y1, c) * (1 - wx) + px(x1, y1, c) * wx) * wy;
      if (channels === 1) {
        out[y * width + x] = (0.299 * sample(0) + 0.587 * sample(1) + 0.114 * sample(2)) / 255;
      } else {
        for (let c = 0; c < channels; c++) out[(c * height + y) * width + x] = sample(Math.min(c, 2)) / 255;
      }
    }
  }
  return out;
}
