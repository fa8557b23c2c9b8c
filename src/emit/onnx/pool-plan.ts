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

export type Pads = [number, number, number, number];

/** Output size of one axis with floor rounding. */
export function floorSize(inSize: number, k: number, s: number, head: number, tail: number): number {
  return Math.floor((inSize + head + tail - k) / s) + 1;
}

/** The ONNX spec's ceil_mode=1 output size (no drop rule). */
export function onnxCeilSize(inSize: number, k: number, s: number, head: number, tail: number): number {
  return Math.ceil((inSize + head + tail - k) / s) + 1;
}

/** onnxruntime's ceil_mode=1 output size: ceil, then drop a window starting in the tail padding. */
export function ortCeilSize(inSize: number, k: number, s: number, head: number, tail: number): number {
  let out = Math.ceil((inSize + head + tail - k) / s) + 1;
  if ((out - 1) * s >= inSize + head) out -= 1;
  return out;
}

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
  const floorOut = [floorSize(inHW[0], kernel[0], stride[0], t, b), floorSize(inHW[1], kernel[1], stride[1], l, r)];
  const cip = countIncludePad ? 1 : 0;
  if (floorOut[0] === outHW[0] && floorOut[1] === outHW[1]) {
    // Every window lies inside the padded extent: both conventions agree.
    return { pads: [...pads], ceilMode: 0, countIncludePad: cip };
  }
  if (op === "maxpool") {
    const sizes = (f: typeof onnxCeilSize) => [f(inHW[0], kernel[0], stride[0], t, b), f(inHW[1], kernel[1], stride[1], l, r)];
    const spec = sizes(onnxCeilSize);
    const ort = sizes(ortCeilSize);
    if (spec[0] === outHW[0] && spec[1] === outHW[1] && ort[0] === outHW[0] && ort[1] === outHW[1]) return { pads: [...pads], ceilMode: 1, countIncludePad: 0 };
  }
  // Pixels missing at the end so that floor rounding reaches the IR's size.
  const extraB = Math.max(0, (outHW[0] - 1) * stride[0] + kernel[0] - (inHW[0] + t + b));
  const extraR = Math.max(0, (outHW[1] - 1) * stride[1] + kernel[1] - (inHW[1] + l + r));
  if (op === "maxpool") return { pads: [t, l, b + extraB, r + extraR], ceilMode: 0, countIncludePad: 0 };
  const hasPad = t + l + b + r > 0;
  if (countIncludePad && hasPad) {
    return { prePad: [...pads], pads: [0, 0, extraB, extraR], ceilMode: 0, countIncludePad: 0 };
  }
  // No spec padding to count (or it must not be counted): only real pixels divide.
  return { pads: [t, l, b + extraB, r + extraR], ceilMode: 0, countIncludePad: 0 };
}
