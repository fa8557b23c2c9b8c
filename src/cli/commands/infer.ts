// `netc infer MODEL.onnx`: top-5 classes of an image, or the model's latency.
import { existsSync, readFileSync, statSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { decodeImage, evalPixels, resizeFor } from "../../infer/image.js";
import { applyPreprocess } from "../../ir/preprocess.js";
import { readModelInput } from "../../infer/model-input.js";
import { openSession, type Ep } from "../../infer/session.js";
import { inferProgress } from "../../infer/progress.js";
import { median, timeSession } from "../../infer/timing.js";
import { topK } from "../../infer/topk.js";
import { terminalSafe } from "../report.js";

export interface InferArgs {
  model: string;
  ep: Ep;
  batch: number;
  image?: string;
  /** One class name per line, for --image. */
  labels?: string;
  /** The shorter side before the centre crop (default: the crop / 0.875). */
  resize?: number;
  runs?: number;
  json?: boolean;
}

const fail = (msg: string, code: number): number => {
  process.stderr.write(`netc infer: ${terminalSafe(msg)}\n`);
  return code;
};

/** Exit codes: 0 ok, 1 runtime failure, 2 bad arguments or unreadable model/image. */
export async function run(args: InferArgs): Promise<number> {
  if (!existsSync(args.model) || !statSync(args.model).isFile()) return fail(`cannot read model '${args.model}'`, 2);
  if (!["cpu", "cuda", "webgpu"].includes(args.ep)) return fail(`unknown execution provider '${args.ep}' (cpu, cuda or webgpu)`, 2);
  const batch = args.image ? 1 : args.batch;
  if (!Number.isInteger(batch) || batch < 1) return fail(`--batch must be a positive integer`, 2);
  const runs = args.runs ?? 20;
  if (!Number.isInteger(runs) || runs < 1) return fail(`--runs must be a positive integer`, 2);

  let input;
  try {
    input = readModelInput(args.model);
  } catch (e) {
    return fail(`'${args.model}' is not a usable ONNX model: ${(e as Error).message}`, 2);
  }
  let data: Float32Array;
  let labels: string[] | undefined;
  const per = input.shape.reduce((a, b) => a * b, 1);
  if (args.labels !== undefined) {
    if (!args.image) return fail(`--labels needs --image`, 2);
    try {
      labels = readFileSync(args.labels, "utf8").split(/\r?\n/);
      if (labels.at(-1) === "") labels.pop();
    } catch (e) {
      return fail(`cannot read labels '${args.labels}': ${(e as Error).message}`, 2);
    }
  }
  if (args.image) {
    if (input.shape.length !== 3) return fail(`the model's input [${input.shape}] is not an image (C, H, W)`, 2);
    const [c, h, w] = input.shape as [number, number, number];
    const resize = args.resize ?? resizeFor(Math.min(h, w));
    if (!Number.isInteger(resize) || resize < 1) return fail(`--resize must be a positive integer`, 2);
    try {
      // torchvision's evaluation transforms: Resize(shorter side), CenterCrop, then the spec's preprocessing.
      data = evalPixels(decodeImage(args.image), c, h, w, resize, input.preprocess?.order);
    } catch (e) {
      return fail((e as Error).message.startsWith(args.image) ? (e as Error).message : `cannot read image '${args.image}': ${(e as Error).message}`, 2);
    }
    // A model that applies the preprocessing itself takes raw pixels; one compiled
    // with --no-preprocess gets it applied here; one without any is fed 0..1.
    if (!input.preprocess) data = data.map((v) => v / 255);
    else if (!input.preprocess.inGraph) applyPreprocess(input.preprocess, data, c, h * w);
  } else {
    // Timing only: any deterministic input will do.
    data = new Float32Array(per * batch);
    for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) % 1000) / 1000;
  }

  // On a terminal only, and never with --json (src/infer/progress.ts).
  const progress = inferProgress(!args.json);
  let opened;
  try {
    progress.note(`loading ${terminalSafe(args.model)} on ${args.ep}`);
    opened = await openSession(args.model, args.ep);
  } catch (e) {
    progress.stop();
    return fail(`onnxruntime cannot load '${args.model}': ${(e as Error).message.split("\n")[0]}`, 2);
  }
  const { session, ep } = opened;
  progress.stop();
  try {
    const feeds = { [input.name]: new ort.Tensor("float32", data, [batch, ...input.shape]) };
    if (args.image) {
      const out = (await session.run(feeds))[session.outputNames[0]!]!;
      const row = out.data as Float32Array;
      if (labels && labels.length !== row.length) return fail(`'${args.labels}' has ${labels.length} labels but the model has ${row.length} classes`, 2);
      const top = topK(row).map((t) => (labels ? { ...t, label: labels[t.index]! } : t));
      if (args.json) process.stdout.write(JSON.stringify({ model: args.model, ep, top }) + "\n");
      else
        for (const t of top)
          process.stdout.write(`${String(t.index).padStart(5)}  ${(t.probability * 100).toFixed(2).padStart(6)}%${"label" in t ? `  ${terminalSafe(t.label)}` : ""}\n`);
      return 0;
    }
    const times = await timeSession(session, feeds, runs, 3, progress);
    const perBatch = median(times);
    const result = { model: args.model, ep, batch, runs, medianMsPerBatch: perBatch, medianMsPerImage: perBatch / batch };
    if (args.json) process.stdout.write(JSON.stringify(result) + "\n");
    else
      process.stdout.write(
        `${args.model} on ${ep}, batch ${batch}, median of ${runs} runs: ${perBatch.toFixed(2)} ms per batch, ${(perBatch / batch).toFixed(3)} ms per image\n`,
      );
    return 0;
  } catch (e) {
    progress.stop();
    return fail(`inference failed: ${(e as Error).message.split("\n")[0]}`, 1);
  } finally {
    await session.release();
  }
}
