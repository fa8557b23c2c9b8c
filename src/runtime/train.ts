// The training loop behind a generated train.ts.
//
// A custom loop rather than model.fit: the auxiliary heads' losses are scaled
// here (tfjs ignores lossWeights), weight decay is added to the loss (tfjs
// optimizers have none), and validation runs on the inference model only.

import type * as tfjs from "@tensorflow/tfjs";
import cliProgress from "cli-progress";
import { rng } from "../ir/weights.js";
import { saveCheckpoint, type NamedTensor } from "./checkpoint.js";
import { DatasetError, shuffled, type Dataset, type Split } from "./data/index.js";
import type { TrainArgs } from "./train-args.js";

type Tf = typeof tfjs;

export interface EpochResult {
  epoch: number;
  loss: number;
  accuracy: number;
  valAccuracy: number;
  learningRate: number;
  seconds: number;
  imagesPerSecond: number;
}

export interface TrainResult {
  epochs: EpochResult[];
  /** On the dataset's test split, when it has one. */
  testAccuracy: number | undefined;
}

export interface TrainJob {
  training: tfjs.LayersModel;
  inference: tfjs.LayersModel;
  data: Dataset;
  args: TrainArgs;
  /** One per output of `training`: the main output, then the auxiliary heads. */
  lossWeights: number[];
  /** Initial weights by tfjs weight name (`--init`, read by netc/weights); layers without any keep their seeded values. */
  init?: Map<string, NamedTensor>;
  /** Called after every epoch (progress reporting, tests). */
  onEpoch?: (r: EpochResult) => void;
}

export async function train(tf: Tf, job: TrainJob): Promise<TrainResult> {
  const { training, inference, data, args } = job;
  const classes = inference.outputs[0]!.shape[1] as number;
  checkFits(data, classes);
  if (job.lossWeights.length !== training.outputs.length) {
    throw new Error(`netc: ${job.lossWeights.length} loss weights for ${training.outputs.length} outputs`);
  }
  seedWeights(tf, training, args.seed);
  if (job.init) setInitialWeights(tf, training, job.init);
  const optimizer = makeOptimizer(tf, args);
  const fromLogits = training.outputs.map((o) => !isSoftmax(o));
  const kernels = training.trainableWeights.filter((w) => /kernel$/.test(w.originalName));
  const variables = training.trainableWeights.map((w) => w.read() as tfjs.Variable);

  // Dropout draws its masks through Math.random when given no seed; a seeded
  // stand-in for the duration of training makes a run reproducible.
  const savedRandom = Math.random;
  Math.random = rng(args.seed ^ 0x5eed);
  const history: EpochResult[] = [];
  try {
    for (let epoch = 1; epoch <= args.epochs; epoch++) {
      const lr = args.learningRate * Math.pow(args.decay, Math.floor((epoch - 1) / args.decayEvery));
      setLearningRate(optimizer, lr);
      const start = performance.now();
      const order = shuffled(data.train.count, args.seed * 1000 + epoch);
      const batches = Math.ceil(data.train.count / args.batchSize);
      const bar = progressBar(args, epoch, batches);
      let lossSum = 0;
      let correct = 0;
      for (let b = 0; b < batches; b++) {
        const idx = order.subarray(b * args.batchSize, Math.min((b + 1) * args.batchSize, data.train.count));
        const { x, labels } = batch(tf, data.train, idx, data.shape);
        const y = tf.oneHot(labels, classes);
        let hits: tfjs.Tensor | undefined;
        const cost = optimizer.minimize(
          () => {
            const outs = training.apply(x, { training: true }) as tfjs.Tensor | tfjs.Tensor[];
            const list = Array.isArray(outs) ? outs : [outs];
            hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(list[0]!, -1), labels), "float32")));
            let loss = tf.scalar(0);
            list.forEach((out, k) => {
              const l = fromLogits[k]
                ? tf.losses.softmaxCrossEntropy(y, out)
                : tf.mean(tf.metrics.categoricalCrossentropy(y, out));
              loss = tf.add(loss, tf.mul(l, job.lossWeights[k]!));
            });
            if (args.weightDecay > 0) {
              // SGD-style decay: d/dw (wd/2 * |w|^2) = wd * w.
              const sq = kernels.map((k) => tf.sum(tf.square(k.read())));
              loss = tf.add(loss, tf.mul(tf.addN(sq), args.weightDecay / 2));
            }
            return loss as tfjs.Scalar;
          },
          true,
          variables,
        )!;
        const lossValue = (await cost.data())[0]!;
        correct += (await hits!.data())[0]!;
        lossSum += lossValue * idx.length;
        tf.dispose([cost, hits!, x, labels, y]);
        bar?.update(b + 1, { loss: (lossSum / ((b * args.batchSize) + idx.length)).toFixed(4), acc: (correct / ((b * args.batchSize) + idx.length)).toFixed(4) });
      }
      const trainSeconds = (performance.now() - start) / 1000;
      const valAccuracy = await accuracy(tf, inference, data.validation, data.shape);
      bar?.stop();
      const r: EpochResult = {
        epoch,
        loss: lossSum / data.train.count,
        accuracy: correct / data.train.count,
        valAccuracy,
        learningRate: lr,
        seconds: (performance.now() - start) / 1000,
        imagesPerSecond: data.train.count / trainSeconds,
      };
      history.push(r);
      if (!args.quiet) {
        process.stdout.write(
          `epoch ${epoch}/${args.epochs}: loss ${r.loss.toFixed(4)}, accuracy ${r.accuracy.toFixed(4)}, ` +
            `validation accuracy ${valAccuracy.toFixed(4)}, ${r.seconds.toFixed(1)} s (${r.imagesPerSecond.toFixed(0)} images/s)\n`,
        );
      }
      if (args.save) {
        await saveCheckpoint(inference, args.save, { netc: { epoch, valAccuracy, seed: args.seed } });
      }
      job.onEpoch?.(r);
    }
  } finally {
    Math.random = savedRandom;
  }
  let testAccuracy: number | undefined;
  if (data.test) {
    testAccuracy = await accuracy(tf, inference, data.test, data.shape);
    if (!args.quiet) process.stdout.write(`test accuracy ${testAccuracy.toFixed(4)} (${data.test.count} images)\n`);
  }
  if (args.save && !args.quiet) process.stdout.write(`saved ${args.save}/model.json\n`);
  return { epochs: history, testAccuracy };
}

/**
 * The dataset against the network, before any work: images to train on, and
 * labels the output can express (tf.oneHot turns an out-of-range label into an
 * all-zero target, and training would go on without a word).
 */
export function checkFits(data: Dataset, classes: number): void {
  const source = data.labels?.source ?? "the dataset";
  if (data.train.count === 0) throw new DatasetError(`${source}: no training images`);
  if (data.format === "folder" && data.classes !== classes) {
    throw new DatasetError(
      `${source}: has ${data.classes} class folders (${data.classNames.join(", ")}), the network has ${classes} classes`,
    );
  }
  const max = data.labels?.max ?? data.classes - 1;
  if (max >= classes) {
    const at = data.labels?.index === undefined ? "" : ` (item ${data.labels.index})`;
    throw new DatasetError(`${source}: label ${max}${at} is out of range: the network has ${classes} classes, labels 0 to ${classes - 1}`);
  }
}

/** Fraction of a split the model classifies correctly (inference mode, batches of 256). */
export async function accuracy(tf: Tf, model: tfjs.LayersModel, split: Split, shape: number[]): Promise<number> {
  if (split.count === 0) return NaN;
  let correct = 0;
  const all = Int32Array.from({ length: split.count }, (_, i) => i);
  for (let s = 0; s < split.count; s += 256) {
    const idx = all.subarray(s, Math.min(s + 256, split.count));
    const { x, labels } = batch(tf, split, idx, shape);
    const hits = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(model.predict(x) as tfjs.Tensor, -1), labels), "float32")));
    correct += (await hits.data())[0]!;
    tf.dispose([x, labels, hits]);
  }
  return correct / split.count;
}

function batch(tf: Tf, split: Split, idx: Int32Array, shape: number[]): { x: tfjs.Tensor; labels: tfjs.Tensor1D } {
  const per = shape.reduce((a, b) => a * b, 1);
  const buf = new Float32Array(idx.length * per);
  const lab = new Int32Array(idx.length);
  idx.forEach((j, i) => {
    buf.set(split.x.subarray(j * per, (j + 1) * per), i * per);
    lab[i] = split.y[j]!;
  });
  return { x: tf.tensor(buf, [idx.length, ...shape]), labels: tf.tensor1d(lab, "int32") };
}

function isSoftmax(t: tfjs.SymbolicTensor): boolean {
  const config = t.sourceLayer.getConfig() as { activation?: string };
  return config.activation === "softmax";
}

function makeOptimizer(tf: Tf, args: TrainArgs): tfjs.Optimizer {
  switch (args.optimizer) {
    case "sgd":
      return args.momentum > 0 ? tf.train.momentum(args.learningRate, args.momentum) : tf.train.sgd(args.learningRate);
    case "adam":
      return tf.train.adam(args.learningRate);
    case "rmsprop":
      return tf.train.rmsprop(args.learningRate, 0.9, args.momentum);
  }
}

function setLearningRate(opt: tfjs.Optimizer, lr: number): void {
  // SGD/momentum cache -lr in a tensor and expose setLearningRate; adam and
  // rmsprop read the field at every step.
  const o = opt as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (typeof o.setLearningRate === "function") o.setLearningRate(lr);
  else o.learningRate = lr;
}

/**
 * Deterministic initialisation, independent of tfjs's unseeded initialisers:
 * He normal for convolutions, Glorot uniform for dense layers, each weight from
 * its own mulberry32 stream; biases, BN shifts and means zero, scales and
 * variances one (tfjs's own defaults are kept for those).
 */
export function seedWeights(tf: Tf, model: tfjs.LayersModel, seed: number): void {
  model.weights.forEach((v, i) => {
    const name = v.originalName;
    const shape = v.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    const next = rng((seed * 2654435761 + i * 40503 + 1) >>> 0);
    let values: Float32Array | undefined;
    if (/\/(depthwise_)?kernel$/.test(name) && shape.length === 4) {
      // HWIO: fan-in is kh * kw * in (depthwise: kh * kw).
      const fanIn = name.endsWith("depthwise_kernel") ? shape[0]! * shape[1]! : shape[0]! * shape[1]! * shape[2]!;
      const std = Math.sqrt(2 / fanIn);
      values = new Float32Array(n);
      for (let k = 0; k < n; k++) values[k] = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()) * std;
    } else if (/\/kernel$/.test(name) && shape.length === 2) {
      const limit = Math.sqrt(6 / (shape[0]! + shape[1]!));
      values = Float32Array.from({ length: n }, () => (next() * 2 - 1) * limit);
    }
    if (values) {
      const t = tf.tensor(values, shape);
      v.write(t); // assigns a copy
      t.dispose();
    }
  });
}

function progressBar(args: TrainArgs, epoch: number, batches: number): cliProgress.SingleBar | undefined {
  if (args.quiet || !process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `epoch ${epoch}/${args.epochs} {bar} {value}/{total} batches | loss {loss} | accuracy {acc} | {eta_formatted} left`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(batches, 0, { loss: "-", acc: "-" });
  return bar;
}

/**
 * Writes the initial weights into every layer the map covers (all of a layer's
 * weights or none: an auxiliary head the checkpoint lacks keeps its seeded values).
 */
export function setInitialWeights(tf: Tf, model: tfjs.LayersModel, named: Map<string, NamedTensor>): void {
  let used = 0;
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const have = layer.weights.filter((v) => named.has(v.originalName));
    if (have.length === 0) continue;
    if (have.length !== layer.weights.length) {
      const missing = layer.weights.find((v) => !named.has(v.originalName))!;
      throw new Error(`netc: the initial weights have no value for '${missing.originalName}'`);
    }
    const values = layer.weights.map((v) => {
      const t = named.get(v.originalName)!;
      if (t.shape.join() !== (v.shape as number[]).join()) throw new Error(`netc: initial weight '${v.originalName}' has shape [${t.shape}], the model's is [${v.shape}]`);
      return tf.tensor(t.data, t.shape);
    });
    layer.setWeights(values);
    tf.dispose(values);
    used += values.length;
  }
  if (used !== named.size) throw new Error(`netc: ${named.size - used} initial weights have no layer in the model`);
}
