// Input preprocessing as a list of float32 steps, written once for every consumer:
// the ONNX emitter (first nodes of the graph), the tfjs training data pipeline and
// `netc infer --image`. The steps and their order are torchvision's, so that each
// float32 rounding happens where PyTorch's does: ToTensor divides by 255 (it does
// not multiply by 1/255), Normalize subtracts the mean and then divides by the std,
// and GoogLeNet/Inception v3's transform_input multiplies and then adds.

import type { Preprocess } from "./graph.js";

export interface PreprocessStep {
  op: "mul" | "div" | "sub" | "add";
  /** One value per channel (or one for all). */
  values: number[];
  /** Where it comes from, for node names. */
  what: "scale" | "mean" | "std" | "transform_input";
}

/** torchvision's ImageNet statistics, which its transform_input hard-codes. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406];
export const IMAGENET_STD = [0.229, 0.224, 0.225];

/** `1/255` is a division by 255 (as ToTensor does it); other scales multiply. */
function scaleStep(scale: number): PreprocessStep | undefined {
  if (scale === 1) return undefined;
  const inverse = 1 / scale;
  const whole = Math.round(inverse);
  if (whole > 1 && Math.abs(inverse - whole) <= 1e-9 * whole) return { op: "div", values: [whole], what: "scale" };
  return { op: "mul", values: [scale], what: "scale" };
}

export function preprocessSteps(p: Preprocess | undefined): PreprocessStep[] {
  if (!p) return [];
  const steps: PreprocessStep[] = [];
  const scale = scaleStep(p.scale);
  if (scale) steps.push(scale);
  if (p.mean.some((m) => m !== 0)) steps.push({ op: "sub", values: p.mean, what: "mean" });
  if (p.std.some((s) => s !== 1)) steps.push({ op: "div", values: p.std, what: "std" });
  if (p.transformInput) {
    // x * (std / 0.5) + (mean - 0.5) / 0.5, the constants computed in double as Python does.
    steps.push({ op: "mul", values: IMAGENET_STD.map((s) => s / 0.5), what: "transform_input" });
    steps.push({ op: "add", values: IMAGENET_MEAN.map((m) => (m - 0.5) / 0.5), what: "transform_input" });
  }
  return steps;
}

/** What readers of 8-bit images apply when a spec states no preprocessing: values in [0, 1]. */
export const DEFAULT_IMAGE_PREPROCESS: Preprocess = { scale: 1 / 255, mean: [0], std: [1], order: "rgb", transformInput: false };

/**
 * Applies the steps in place, rounding to float32 after every operation, to
 * samples laid out CHW (`channels` planes of `plane` values each) or, with
 * `channelsLast`, HWC (tfjs's NHWC); samples back to back.
 */
export function applyPreprocess(p: Preprocess | undefined, data: Float32Array, channels: number, plane: number, channelsLast = false): Float32Array {
  for (const step of preprocessSteps(p)) {
    const values = Float32Array.from({ length: channels }, (_, c) => step.values.length === 1 ? step.values[0]! : step.values[c]!);
    const op = step.op;
    for (let i = 0; i < data.length; i++) {
      const c = channelsLast ? i % channels : Math.floor(i / plane) % channels;
      const x = data[i]!;
      const v = values[c]!;
      data[i] = op === "mul" ? x * v : op === "div" ? x / v : op === "sub" ? x - v : x + v;
    }
  }
  return data;
}
