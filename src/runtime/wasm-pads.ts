// Works around a tfjs-backend-wasm 4.22 bug: a convolution with padding 'same', a
// non-square kernel and a stride > 1 (e.g. 1x7 stride 2) returns wrong values (XNNPACK's
// TF-SAME mode disagrees with tfjs's padding split). A numeric pad with a non-square
// kernel is worse: tfjs-core sizes the output from the kernel height alone and XNNPACK
// then writes past the buffer, corrupting WASM memory.
//
// Fix: wrap the wasm convolution kernels so 'same' and numeric pads are turned into the
// explicit [top, bottom, left, right] pads tfjs itself computes, which wasm handles
// correctly. Explicit pads and 'valid' pass through untouched.

import type * as TfNamespace from "@tensorflow/tfjs";

type Tf = typeof TfNamespace;

const WRAPPED = ["Conv2D", "FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2D"];
const marker = Symbol.for("netc.wasmPadFix");

export function registerWasmPadFix(tf: Tf): void {
  for (const name of WRAPPED) {
    const original = tf.getKernel(name, "wasm") as (TfNamespace.KernelConfig & { [marker]?: true }) | undefined;
    if (!original || original[marker]) continue;
    const depthwise = name.includes("Depthwise");
    const kernelFunc: TfNamespace.KernelFunc = (args) => {
      const attrs = args.attrs as Record<string, unknown>;
      const pad = attrs.pad;
      if (pad !== "same" && typeof pad !== "number") return original.kernelFunc(args);
      const { x, filter } = args.inputs as { x: TfNamespace.TensorInfo; filter: TfNamespace.TensorInfo };
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filter.shape as [number, number, number, number],
        attrs.strides as [number, number],
        (attrs.dilations ?? [1, 1]) as [number, number],
        pad as "same",
        attrs.dimRoundingMode as "floor" | undefined,
        depthwise,
      );
      const p = info.padInfo;
      const explicit = [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]];
      return original.kernelFunc({ ...args, attrs: { ...attrs, pad: explicit } as TfNamespace.NamedAttrMap });
    };
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel({ ...original, kernelFunc, [marker]: true } as TfNamespace.KernelConfig);
  }
}
