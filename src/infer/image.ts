// An image as torchvision's evaluation transforms see it: Resize(shorter side)
// with PIL's bilinear filter, then CenterCrop, then raw 0..255 values in CHW for
// the spec's preprocessing. The resize is PIL's (Pillow 9/10 Resample.c) step
// for step: a triangle filter stretched by the scale when shrinking (PIL's
// antialiasing), coefficients normalised per output pixel and rounded to 22-bit
// fixed point, a horizontal pass then a vertical one, each rounded to 8 bits.
// So a PNG gives PIL's pixels exactly; a JPEG may differ by the decoder's own
// rounding (jpeg-js against libjpeg).
// Decoding is the dataset loader's: the same regular-file check, size cap and
// pixel cap before anything is inflated, for one image as for a dataset.
import type { Decoded } from "../runtime/data/decode.js";

export { decodeImage } from "../runtime/data/decode.js";

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;

interface Coefficients {
  start: number[];
  count: number[];
  weights: number[][];
}

/** PIL's precompute_coeffs with its bilinear filter, then normalize_coeffs_8bpc. */
function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale;
  const out: Coefficients = { start: [], count: [], weights: [] };
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) truncates toward zero; both values here are > -1.
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const w: number[] = [];
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) / filterScale);
      const v = t < 1 ? 1 - t : 0;
      w.push(v);
      sum += v;
    }
    out.start.push(xmin);
    out.count.push(xmax);
    out.weights.push(w.map((v) => {
      const k = sum !== 0 ? v / sum : v;
      return k < 0 ? Math.trunc(-0.5 + k * ONE) : Math.trunc(0.5 + k * ONE);
    }));
  }
  return out;
}

const clip8 = (ss: number) => Math.min(255, Math.max(0, Math.floor(ss / ONE)));

/** One pass of PIL's 8-bit resampling along x (horizontal) or y, on RGBA. */
function pass(img: Decoded, outSize: number, horizontal: boolean): Decoded {
  const inSize = horizontal ? img.width : img.height;
  const c = coefficients(inSize, outSize);
  const width = horizontal ? outSize : img.width;
  const height = horizontal ? img.height : outSize;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = horizontal ? x : y;
      const k = c.weights[o]!;
      const from = c.start[o]!;
      for (let ch = 0; ch < 4; ch++) {
        let ss = ONE / 2;
        for (let i = 0; i < k.length; i++) {
          const src = horizontal ? (y * img.width + from + i) * 4 + ch : ((from + i) * img.width + x) * 4 + ch;
          ss += img.data[src]! * k[i]!;
        }
        data[(y * width + x) * 4 + ch] = clip8(ss);
      }
    }
  }
  return { width, height, data };
}

/** PIL's Image.resize((width, height), BILINEAR) on an RGBA image. */
export function resizeBilinear(img: Decoded, width: number, height: number): Decoded {
  let out = img;
  if (width !== img.width) out = pass(out, width, true);
  if (height !== img.height) out = pass(out, height, false);
  return out;
}

/** torchvision's Resize(size): the shorter side becomes `size`, the other keeps the aspect ratio (truncated, as int() does). */
export function resizeShorter(img: Decoded, size: number): Decoded {
  if (img.width <= img.height) return resizeBilinear(img, size, Math.trunc((size * img.height) / img.width));
  return resizeBilinear(img, Math.trunc((size * img.width) / img.height), size);
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** torchvision's CenterCrop; an image smaller than the crop is padded with zeros, as torchvision does. */
export function centerCrop(img: Decoded, width: number, height: number): Decoded {
  const top = roundHalfEven((img.height - height) / 2);
  const left = roundHalfEven((img.width - width) / 2);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const sy = y + top;
    if (sy < 0 || sy >= img.height) continue;
    for (let x = 0; x < width; x++) {
      const sx = x + left;
      if (sx < 0 || sx >= img.width) continue;
      data.set(img.data.subarray((sy * img.width + sx) * 4, (sy * img.width + sx) * 4 + 4), (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

/** ImageNet's evaluation ratio: resize to crop / 0.875 (224 -> 256, 299 -> 342 as torchvision's Inception v3). */
export const resizeFor = (crop: number): number => Math.round(crop / 0.875);

/**
 * Raw CHW pixel values 0..255 (1 channel: luminance as PIL's convert("L");
 * 3: RGB, or BGR when `order` says so) of the resized, centre-cropped image.
 */
export function evalPixels(img: Decoded, channels: number, height: number, width: number, resize: number, order: "rgb" | "bgr" = "rgb"): Float32Array {
  const crop = centerCrop(resizeShorter(img, resize), width, height);
  const plane = height * width;
  const out = new Float32Array(channels * plane);
  for (let i = 0; i < plane; i++) {
    const [r, g, b] = [crop.data[i * 4]!, crop.data[i * 4 + 1]!, crop.data[i * 4 + 2]!];
    if (channels === 1) out[i] = Math.floor((r * 19595 + g * 38470 + b * 7471 + 0x8000) / 65536);
    else {
      const rgb = order === "bgr" ? [b, g, r] : [r, g, b];
      for (let c = 0; c < channels; c++) out[c * plane + i] = rgb[Math.min(c, 2)]!;
    }
  }
  return out;
}
