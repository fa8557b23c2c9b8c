// A few tfjs training steps on zoo networks at 32x32 (some at 64x64) with 10
// classes: the models netc builds from the specs (the code `netc compile
// --target tfjs` writes) take gradients through every layer and learn a fixed
// batch. Weights and data are seeded and dropout is off, so the run is
// deterministic.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { checkText } from "../../src/check/index.js";
import { buildFromPlan, planModel } from "../../src/emit/tfjs/index.js";
import * as runtime from "../../src/runtime/index.js";
import { randn, rng } from "../runtime/helpers.js";

const SIZE = 32;
const CLASSES = 10;
const BATCH = 4;
// Networks trained at another size: at 32x32 RegNet's last stage is 1x1, and
// BatchNorm over 4 values per channel makes the loss erratic (torchvision's
// model as much as netc's); at 64x64 it falls steadily.
const SIZES: Record<string, number> = { "regnet-y-400mf": 64 };

function smallGraph(file: string, size = SIZE) {
  const text = readFileSync(file, "utf8").replace(/size = 224/, `size = ${size}`).replace(/classes = 1000/, `classes = ${CLASSES}`);
  const r = checkText(text, file);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.graph!;
}

describe("zoo networks train in tfjs", () => {
  for (const name of ["squeezenet1-1", "mnasnet1-0", "mobilenet-v3-large", "regnet-y-400mf"]) {
    test(`${name}: loss falls over 4 steps on one batch`, async () => {
      const tf = await runtime.loadTf({ quiet: true });
      const size = SIZES[name] ?? SIZE;
      const { training } = buildFromPlan(tf, planModel(smallGraph(`specs/zoo/${name}.net`, size)), runtime);
      runtime.seedWeights(tf, training, 1);
      // tfjs draws dropout masks from an unseeded generator: off, so the steps are deterministic.
      for (const layer of training.layers) if (layer.getClassName() === "Dropout") (layer as unknown as { rate: number }).rate = 0;
      const x = tf.tensor4d(randn(BATCH * size * size * 3, rng(7)), [BATCH, size, size, 3]);
      const y = tf.oneHot(tf.tensor1d([0, 3, 7, 9], "int32"), CLASSES);
      const optimizer = tf.train.adam(1e-3);
      const losses: number[] = [];
      for (let step = 0; step < 4; step++) {
        const loss = optimizer.minimize(() => {
          const logits = training.apply(x, { training: true }) as ReturnType<typeof tf.tensor2d>;
          return tf.losses.softmaxCrossEntropy(y, logits) as ReturnType<typeof tf.scalar>;
        }, true)!;
        losses.push(loss.dataSync()[0]!);
        loss.dispose();
      }
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[3]!).toBeLessThan(losses[0]!);
      training.dispose();
      optimizer.dispose();
      tf.dispose([x, y]);
    }, 120_000);
  }
});
