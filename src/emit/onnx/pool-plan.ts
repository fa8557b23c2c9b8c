// How to express an IR pooling window in ONNX so that onnxruntime produces
// exactly the IR's output (PyTorch/Caffe sizes and divisors).
//
// The IR's ceil rule drops a last window that would start in the right/bottom
// padding. onnxruntime's ceil_mode applies the same drop rule, but the ONNX
// spec's formula (and so ONNX shape inference and the checker) does not. So
// MaxPool keeps `ceil_mode=1` only when both agree with the IR, which is the
// common case (GoogLeNet's pools). Anything else (a mismatch, or AveragePool, whose divisor
// at a window that overhangs the padding differs between conventions) uses the
// explicit form: ceil_mode=0 with the missing pixels added to the end padding.
// For MaxPool that is exact because ORT ignores padded cells (-inf). For
// AveragePool the extra padding is excluded from the divisor by using
// count_include_pad=0; when the spec wants its own padding counted, that
// padding becomes a real zero Pad in front, so it is counted as data.

import { poolOut, poolOutNoDrop, tailPad } from "../../ir/geometry.js";

export type Pads = [number, number, number, number];

export interface PoolPlan {
  /** Padding applied by a separate zero Pad node first ([top,left,bottom,right]); undefined = none. */
  prePad?: Pads;
  /** The pooling node's own pads, [top,left,bottom,right] (ONNX's order for 2-D). */
  pads: Pads;
  ceilMode: 0 | 1;
  /** AveragePool only. */
  countIncludePad: 0 | 1;
}

export function planPool(
  op: "maxpool" | "avgpool",
  inHW: [number, number],
  kernel: [number, number],
  stride: [number, number],
  pads: Pads,
  countIncludePad: boolean,
  outHW: [number, number],
): PoolPlan {
  const [t, l, b, r] = pads;
  const floorOut = [poolOut(inHW[0], kernel[0], stride[0], t, b, false), poolOut(inHW[1], kernel[1], stride[1], l, r, false)];
  const cip = countIncludePad ? 1 : 0;
  if (floorOut[0] === outHW[0] && floorOut[1] === outHW[1]) {
    // Every window lies inside the padded extent: both conventions agree.
    return { pads: [...pads], ceilMode: 0, countIncludePad: cip };
  }
  if (op === "maxpool") {
    // onnxruntime's ceil_mode applies the IR's drop rule; the ONNX spec's formula does not.
    const spec = [poolOutNoDrop(inHW[0], kernel[0], stride[0], t, b), poolOutNoDrop(inHW[1], kernel[1], stride[1], l, r)];
    const ort = [poolOut(inHW[0], kernel[0], stride[0], t, b, true), poolOut(inHW[1], kernel[1], stride[1], l, r, true)];
    if (spec[0] === outHW[0] && spec[1] === outHW[1] && ort[0] === outHW[0] && ort[1] === outHW[1]) return { pads: [...pads], ceilMode: 1, countIncludePad: 0 };
  }
  // Pixels missing at the end so that floor rounding reaches the IR's size.
  const extraB = Math.max(0, tailPad(inHW[0], kernel[0], stride[0], t, outHW[0]) - b);
  const extraR = Math.max(0, tailPad(inHW[1], kernel[1], stride[1], l, outHW[1]) - r);
  if (op === "maxpool") return { pads: [t, l, b + extraB, r + extraR], ceilMode: 0, countIncludePad: 0 };
  const hasPad = t + l + b + r > 0;
  if (countIncludePad && hasPad) {
    return { prePad: [...pads], pads: [0, 0, extraB, extraR], ceilMode: 0, countIncludePad: 0 };
  }
  // No spec padding to count (or it must not be counted): only real pixels divide.
  return { pads: [t, l, b + extraB, r + extraR], ceilMode: 0, countIncludePad: 0 };
}
