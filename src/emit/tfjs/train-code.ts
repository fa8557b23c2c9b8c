// Prints train.ts: a runnable program that trains the model of model.ts with the
// spec's train section as defaults. The work is done by netc/runtime; this file
// shows the steps (arguments, backend, data, model, training) in the open.

import type { LayerPlan } from "./plan.js";
import { header, type CodeOptions } from "./model-code.js";
import { lineComment } from "./escape.js";
import { literal } from "./source.js";

export function trainSource(plan: LayerPlan, o: CodeOptions): string {
  const g = plan.graph;
  const t = g.train;
  const defaults = {
    optimizer: t.optimizer,
    learningRate: t.learningRate,
    momentum: t.momentum,
    decay: t.decay,
    decayEvery: t.decayEvery,
    batchSize: t.batchSize,
    epochs: t.epochs,
    weightDecay: t.weightDecay,
    validationSplit: t.validationSplit,
  };
  const lossWeights = [1, ...plan.aux.map((a) => a.weight)];
  const out: string[] = [header(o, `${g.name}: training program. Run: node train.js --data DIR [--save DIR]`)];
  out.push(`import { DatasetError, loadDataset, loadTf, parseTrainArgs, train } from "netc/runtime";`);
  out.push(`import { readInitWeights, WeightsError } from "netc/weights";`);
  out.push(`import { buildModel, inputShape, stateDict } from "./model.js";`);
  out.push("");
  out.push("// Defaults from the spec's train section; the command line overrides them:");
  out.push("// --data DIR --epochs N --batch-size N --limit N --seed N --save DIR --init FILE");
  out.push(`const args = parseTrainArgs(process.argv.slice(2), ${literal(defaults)});`);
  out.push("");
  out.push("const tf = await loadTf();");
  out.push("try {");
  out.push("const data = await loadDataset(args.data, {");
  out.push("inputShape,");
  if (g.preprocess) {
    out.push(lineComment("The spec's input preprocessing, applied to the pixels (0..255) of every image:"));
    out.push(`preprocess: ${literal(g.preprocess)},`);
  }
  out.push("validationSplit: args.validationSplit,");
  out.push("limit: args.limit,");
  out.push("seed: args.seed,");
  out.push("});");
  out.push("const { training, inference } = buildModel(tf);");
  out.push("// --init FILE: start from a PyTorch state_dict, safetensors, ONNX or tfjs checkpoint, mapped as `netc compile --weights` maps it.");
  out.push("const init = args.init === undefined ? undefined : readInitWeights(args.init, stateDict);");
  if (plan.aux.length > 0) {
    out.push(lineComment(`The main output's loss counts fully; ${plan.aux.map((a) => `${a.name}'s by ${a.weight}`).join(", ")}.`));
  }
  out.push(`await train(tf, { training, inference, data, args, lossWeights: ${literal(lossWeights)}, init });`);
  out.push("} catch (err) {");
  out.push("// A missing or malformed dataset or weights file is the user's to fix: say what is wrong, no stack trace.");
  out.push("if (!(err instanceof DatasetError || err instanceof WeightsError)) throw err;");
  out.push("console.error(`error: ${err.message}`);");
  out.push("process.exitCode = 1;");
  out.push("}");
  return out.join("\n") + "\n";
}
