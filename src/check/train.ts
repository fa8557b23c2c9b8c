// The `train { ... }` section: optimizer, learning-rate schedule, batch size, epochs.

import type { TrainDecl } from "../syntax/ast.js";
import type { TrainConfig } from "../ir/graph.js";
import { diag } from "../diagnostics/catalogue.js";
import { suggest } from "./suggest.js";
import { describe, evaluate, type EvalContext, type Value } from "./values.js";
import { flagShadows, keyShadows } from "./ambiguity.js";

const trainDefaults: TrainConfig = {
  optimizer: "adam",
  learningRate: 0.001,
  momentum: 0.9,
  decay: 1,
  decayEvery: 1,
  batchSize: 32,
  epochs: 10,
  weightDecay: 0,
  validationSplit: 0.1,
  loss: "crossentropy",
};

type Setter = (c: TrainConfig, v: Value) => string | undefined;
const num = (min: number, max: number, int: boolean, apply: (c: TrainConfig, x: number) => void): Setter => (c, v) => {
  if (typeof v !== "number" || v < min || v > max || (int && !Number.isInteger(v)))
    return `${int ? "a whole number" : "a number"} from ${min} to ${max}`;
  apply(c, v);
  return undefined;
};

interface Setting {
  value?: Setter;
  flags?: Record<string, (c: TrainConfig) => void>;
  options?: Record<string, Setter>;
}

/** Each setting: the bare value it takes, and its key=value options. */
const settingTable: Record<string, Setting> = {
  optimizer: {
    flags: { sgd: (c) => (c.optimizer = "sgd"), adam: (c) => (c.optimizer = "adam"), rmsprop: (c) => (c.optimizer = "rmsprop") },
    options: {
      momentum: num(0, 1, false, (c, x) => (c.momentum = x)),
      weight_decay: num(0, 1, false, (c, x) => (c.weightDecay = x)),
    },
  },
  lr: {
    value: num(0, 10, false, (c, x) => (c.learningRate = x)),
    options: { decay: num(0, 1, false, (c, x) => (c.decay = x)), every: num(1, 1e6, true, (c, x) => (c.decayEvery = x)) },
  },
  batch: { value: num(1, 1 << 20, true, (c, x) => (c.batchSize = x)) },
  epochs: { value: num(0, 1e6, true, (c, x) => (c.epochs = x)) },
  validation: { value: num(0, 0.9, false, (c, x) => (c.validationSplit = x)) },
  weight_decay: { value: num(0, 1, false, (c, x) => (c.weightDecay = x)) },
};
// Keys are words from the spec (`optimizer __proto__`): look them up in Maps only.
const settings = new Map(Object.entries(settingTable));
const own = <T>(table: Record<string, T> | undefined, key: string): T | undefined =>
  table && Object.hasOwn(table, key) ? table[key] : undefined;

export function readTrain(decl: TrainDecl | undefined, ctx: EvalContext): TrainConfig {
  const config = { ...trainDefaults };
  if (!decl) return config;
  for (const entry of decl.entries) {
    const s = settings.get(entry.key.name);
    if (!s) {
      ctx.diagnostics.push(diag("NET4009", ctx.file, entry.key.span, { name: entry.key.name, hint: suggest(entry.key.name, [...settings.keys()]) || ` Settings: ${[...settings.keys()].join(", ")}.` }));
      continue;
    }
    for (const attr of entry.attrs) {
      const what = `train ${entry.key.name}`;
      const apply = (setter: Setter | undefined, expr: Parameters<typeof evaluate>[0], span: typeof attr.span, label: string) => {
        if (!setter) {
          ctx.diagnostics.push(diag("NET2013", ctx.file, span, { name: label, op: what, hint: "" }));
          return;
        }
        const v = evaluate(expr, ctx);
        if (v === undefined) return;
        const err = setter(config, v);
        if (err) ctx.diagnostics.push(diag("NET4001", ctx.file, span, { what: `${what} ${label}`, expected: err, found: describe(v) }));
      };
      const flag = attr.kind === "flagAttr" ? own(s.flags, attr.name.name) : undefined;
      if (flag && attr.kind === "flagAttr") {
        flagShadows(attr.name, [entry.key.name, attr.name.name], `train ${entry.key.name}`, undefined, ctx);
        flag(config);
      } else if (attr.kind === "flagAttr") apply(s.value, { kind: "name", name: attr.name.name, span: attr.name.span }, attr.span, attr.name.name);
      else if (attr.kind === "valueAttr") apply(s.value, attr.value, attr.span, "value");
      else if (attr.kind === "namedAttr") {
        if (attr.spaced && own(s.options, attr.key.name)) keyShadows(attr.key, attr.key.name, attr.value?.kind === "number" ? attr.value.text : "...", attr.span, what, ctx);
        apply(own(s.options, attr.key.name), attr.value, attr.span, attr.key.name);
      } else ctx.diagnostics.push(diag("NET2013", ctx.file, attr.span, { name: "size", op: what, hint: "" }));
    }
  }
  return config;
}
