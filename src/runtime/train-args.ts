// Command-line options of a generated train program. Defaults come from the
// spec's train section, compiled into train.ts.

import { parseArgs } from "node:util";
import type { TrainConfig } from "../ir/graph.js";

/** The spec's `train` section as the checker resolved it (src/ir/graph.ts). */
export type TrainDefaults = Omit<TrainConfig, "loss">;

export interface TrainArgs extends TrainDefaults {
  data: string | undefined;
  limit: number | undefined;
  seed: number;
  save: string | undefined;
  /** Initial weights: a PyTorch checkpoint, safetensors, ONNX model or tfjs checkpoint folder. */
  init: string | undefined;
  /** Quiet progress (no bar, no per-epoch line); the result is still returned. */
  quiet: boolean;
}

const USAGE =
  "usage: train [--data DIR] [--epochs N] [--batch-size N] [--limit N] [--seed N] [--save DIR]\n" +
  "             [--init FILE] [--lr X] [--optimizer sgd|adam|rmsprop] [--quiet] [--help]";

const OPTIONS = {
  data: { type: "string" },
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  limit: { type: "string" },
  seed: { type: "string" },
  save: { type: "string" },
  init: { type: "string" },
  lr: { type: "string" },
  optimizer: { type: "string" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** The full help: what each option does and its default from the spec's train section. */
export function trainHelp(defaults: TrainDefaults): string {
  const rows: [string, string][] = [
    ["--data DIR", "dataset: IDX files, or one folder of PNG/JPEG images per class (required)"],
    ["--epochs N", `epochs (default ${defaults.epochs})`],
    ["--batch-size N", `batch size (default ${defaults.batchSize})`],
    ["--limit N", "use at most N examples (default: all)"],
    ["--seed N", "seed for weights, shuffling and the validation split (default 0)"],
    ["--save DIR", "save the trained weights (a tfjs checkpoint) to DIR"],
    ["--init FILE", "start from these weights, not seeded ones: PyTorch state_dict, safetensors, ONNX or tfjs checkpoint"],
    ["--lr X", `learning rate (default ${defaults.learningRate})`],
    ["--optimizer NAME", `sgd, adam or rmsprop (default ${defaults.optimizer})`],
    ["--quiet", "no progress bar or per-epoch lines"],
    ["-h, --help", "print this help and exit"],
  ];
  return `${USAGE}\n\nTrains the model of model.js; defaults come from the spec's train section.\n\n${rows.map(([a, b]) => `  ${a.padEnd(18)} ${b}`).join("\n")}\n`;
}

/** Parses argv; prints help and exits 0 on --help, prints usage and exits 2 on a bad option (this is a program's front door). */
export function parseTrainArgs(argv: string[], defaults: TrainDefaults): TrainArgs {
  try {
    if (helpRequested(argv)) {
      process.stdout.write(trainHelp(defaults));
      process.exit(0);
    }
    return parseStrict(argv, defaults);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

/** --help or -h anywhere an option may stand (not as the value of --data and the like). */
export function helpRequested(argv: string[]): boolean {
  const { tokens } = parseArgs({ args: argv, strict: false, options: OPTIONS, tokens: true });
  return tokens.some((t) => t.kind === "option" && t.name === "help");
}

/** parseTrainArgs without the exit, for tests and embedding. */
export function parseStrict(argv: string[], defaults: TrainDefaults): TrainArgs {
  const { values } = parseArgs({ args: argv, strict: true, options: OPTIONS });
  const int = (name: string, v: string | undefined, fallback: number, min = 1): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} expects an integer >= ${min}, got '${v}'`);
    return n;
  };
  const optimizer = values.optimizer ?? defaults.optimizer;
  if (!["sgd", "adam", "rmsprop"].includes(optimizer)) throw new Error(`--optimizer expects sgd, adam or rmsprop, got '${optimizer}'`);
  const lr = values.lr === undefined ? defaults.learningRate : Number(values.lr);
  if (!(lr > 0)) throw new Error(`--lr expects a positive number, got '${values.lr}'`);
  return {
    ...defaults,
    optimizer: optimizer as TrainDefaults["optimizer"],
    learningRate: lr,
    epochs: int("epochs", values.epochs, defaults.epochs),
    batchSize: int("batch-size", values["batch-size"], defaults.batchSize),
    limit: values.limit === undefined ? undefined : int("limit", values.limit, 0, 2),
    seed: int("seed", values.seed, 0, 0),
    data: values.data,
    save: values.save,
    init: values.init,
    quiet: values.quiet ?? false,
  };
}
