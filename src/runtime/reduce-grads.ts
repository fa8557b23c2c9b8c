// Gradients of Sum and Mean without a ones tensor. tfjs-core's multiply dy by
// ones(x.shape), and ones() fills a JS array element by element and uploads it: for batch
// norm's statistics (a mean over N, H, W of every feature map) that was ~20 ms of a 250 ms
// training step on wasm. Broadcasting dy with tf.broadcastTo (a Tile kernel) gives the
// same values: dy * 1 is dy exactly, and the division by the reduced size is unchanged.
// Registered for every backend, so wasm and cpu keep computing the same thing.

import type * as TfNamespace from "@tensorflow/tfjs";

type Tf = typeof TfNamespace;
type Tensor = TfNamespace.Tensor;

const registered = new WeakSet<object>();

export function registerReduceGradients(tf: Tf): void {
  if (registered.has(tf)) return;
  registered.add(tf);
  for (const kernelName of ["Sum", "Mean"]) {
    tf.registerGradient({
      kernelName,
      inputsToSave: ["x"],
      gradFunc: (dy, saved, attrs) => {
        const [x] = saved as Tensor[];
        const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x!.shape);
        const kept = x!.shape.map((d, i) => (axes.includes(i) ? 1 : d));
        const spread = () => tf.broadcastTo(tf.reshape(dy as Tensor, kept), x!.shape);
        if (kernelName === "Sum") return { x: spread };
        const count = axes.reduce((n, a) => n * x!.shape[a]!, 1);
        return { x: () => tf.div(spread(), count) };
      },
    });
  }
}
