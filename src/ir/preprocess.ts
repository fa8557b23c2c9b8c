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

/**
 * Applies the steps in place to CHW samples (`channels` planes of `plane` values
 * each, samples back to back), rounding to float32 after every operation.
 */
export function applyPreprocess(p: Preprocess | undefined, data: Float32Array, channels: number, plane: number): Float32Array {
  for (const step of preprocessSteps(p)) {
    const values = step.values.map((v) => Math.fround(v));
    for (let base = 0; base < data.length; base += channels * plane) {
      for (let c = 0; c < channels; c++) {
        const v = values.length === 1 ? values[0]! : values[c]!;
        const from = base + c * plane;
        for (let i = from; i < from + plane; i++) {
          const x = data[i]!;
          data[i] = step.op === "mul" ? x * v : step.op === "div" ? x / v : step.op === "sub" ? x - v : x + v;
        }
      }
    }
  }
  return data;
}
