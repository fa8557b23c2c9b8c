// The netc command line. Loads only commander at start-up: every command's
// module (and with it chevrotain, onnxruntime, tfjs, prettier) is imported when
// that command runs, so `netc check` starts fast.

import { Command, CommanderError, Option } from "commander";
import { backends } from "../emit/backend.js";
import { FORMATS, type Format } from "./format-names.js";
import { version } from "./version.js";
import { collect, overrideOptions, parseOverrides, type OverrideFlags } from "./overrides.js";
import type { Overrides } from "../check/index.js";

/** Exit codes: 0 success, 1 errors found (or a check failed), 2 usage or I/O error. */
const EXIT_USAGE = 2;

const program = new Command();
program
  .name("netc")
  .description("Compiler for .net network specs: check shapes, summarise, format, compile to ONNX and TensorFlow.js.")
  .version(version, "-V, --version")
  .showHelpAfterError()
  // A subcommand's options are its own (`netc weights export --format pytorch`
  // beside `netc weights --format json`); netc's only own option is --version.
  .enablePositionalOptions()
  .exitOverride();

const int = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new CommanderError(EXIT_USAGE, "netc.usage", `error: ${name} must be a whole number, got '${v}'`);
  return Number(v);
};
/** How diagnostics are printed, for every command that prints them. */
const formatOption = () =>
  new Option("--format <format>", "how diagnostics are printed").choices(FORMATS).default("text");
const stdinFlag = ["--stdin", "read the spec from stdin (as does the input -)"] as const;
const stdinName = ["--stdin-filename <name>", "the file name stdin stands for: imports resolve from its folder, diagnostics carry it (implies --stdin)"] as const;
interface StdinOptions {
  stdin?: boolean;
  stdinFilename?: string;
}
/** The spec on stdin, when asked for; a number is the exit code of a failed read or a missing input. */
async function stdinSpec(files: string[], o: StdinOptions): Promise<{ text: string; name: string } | undefined | number> {
  if (!o.stdin && o.stdinFilename === undefined && !files.includes("-")) {
    if (files.length > 0) return undefined;
    process.stderr.write("netc: no input: name files, folders or globs, or use --stdin\n");
    return EXIT_USAGE;
  }
  const { readStdin } = await import("./stdin.js");
  const text = await readStdin();
  if (typeof text !== "string") {
    process.stderr.write(`netc: ${text.reason}\n`);
    return EXIT_USAGE;
  }
  return { text, name: o.stdinFilename ?? "<stdin>" };
}

/** --set and --input as the checker takes them; a number is the exit code of a malformed flag. */
function overridesOf(o: OverrideFlags): Overrides | number {
  const r = parseOverrides(o);
  if (typeof r !== "string") return r;
  process.stderr.write(`netc: ${r}\n`);
  return EXIT_USAGE;
}
const withOverrides = (c: Command): Command => c.option(overrideOptions.set[0], overrideOptions.set[1], collect).option(...overrideOptions.input);

/** Every command that checks a spec first. */
const maxErrors = ["--max-errors <n>", "stop printing diagnostics after N errors and N warnings (default 50; 0: no limit)", int("--max-errors")] as const;

program
  .command("check")
  .description("check specs and report diagnostics (exit 1 on errors)")
  .argument("[inputs...]", ".net files, folders (every .net below) or globs; - for stdin")
  .addOption(formatOption())
  .option("--json", "short for --format json")
  .option(...maxErrors)
  .option(...stdinFlag)
  .option(...stdinName)
  .option("--watch", "check again whenever a spec or one of its imports changes");
withOverrides(program.commands.at(-1)!)
  .action(async (files: string[], o: { format: Format; json?: boolean; maxErrors?: number; stdin?: boolean; stdinFilename?: string; watch?: boolean } & OverrideFlags) => {
    const overrides = overridesOf(o);
    if (typeof overrides === "number") return void (process.exitCode = overrides);
    const { run } = await import("./commands/check.js");
    process.exitCode = await run({ overrides, files, format: o.json ? "json" : o.format, maxErrors: o.maxErrors, stdin: o.stdin || o.stdinFilename !== undefined, stdinFilename: o.stdinFilename, watch: o.watch });
  });

program
  .command("summary")
  .description("print the layer table (shapes, parameters, MACs) of specs")
  .argument("[inputs...]", ".net files, folders or globs; - for stdin")
  .option("--json", "print the summary as JSON (--format json does too)")
  .option("--all", "list every layer inside blocks in the table")
  .option("--batch <n>", "images per batch for the activation memory totals", int("--batch"), 1)
  .addOption(formatOption())
  .option(...maxErrors)
  .option(...stdinFlag)
  .option(...stdinName);
withOverrides(program.commands.at(-1)!)
  .action(async (files: string[], o: { json?: boolean; all?: boolean; batch: number; format: Format; maxErrors?: number } & StdinOptions & OverrideFlags) => {
    const overrides = overridesOf(o);
    if (typeof overrides === "number") return void (process.exitCode = overrides);
    const stdin = await stdinSpec(files, o);
    if (typeof stdin === "number") return void (process.exitCode = stdin);
    const { run } = await import("./commands/summary.js");
    process.exitCode = await run({ overrides, files: files.filter((f) => f !== "-"), json: !!o.json || o.format === "json", all: !!o.all, batch: o.batch, format: o.format, maxErrors: o.maxErrors, stdin });
  });

program
  .command("graph")
  .description("draw a spec's network: blocks as groups, each layer with its output shape, coloured by its share of MACs or parameters")
  .argument("[input]", ".net file; - for stdin")
  .addOption(new Option("--format <format>", "picture format (svg needs no Graphviz; html opens and closes groups in a browser)").choices(["svg", "dot", "html"]).default("svg"))
  .addOption(new Option("--color <measure>", "colour each layer by its share of").choices(["macs", "params"]).default("macs"))
  .option("--depth <n>", "open groups only this many levels deep (0: every top-level block closed; default: all open)", int("--depth"))
  .option("-o, --output <file>", "write the picture here (default: stdout)")
  .option(...maxErrors)
  .option(...stdinFlag)
  .option(...stdinName);
withOverrides(program.commands.at(-1)!)
  .action(async (file: string | undefined, o: { format: "svg" | "dot" | "html"; color: "macs" | "params"; depth?: number; output?: string; maxErrors?: number } & StdinOptions & OverrideFlags) => {
    const overrides = overridesOf(o);
    if (typeof overrides === "number") return void (process.exitCode = overrides);
    const files = file === undefined ? [] : [file];
    const stdin = await stdinSpec(files, o);
    if (typeof stdin === "number") return void (process.exitCode = stdin);
    const { run } = await import("./commands/graph.js");
    process.exitCode = await run({ overrides, file: file ?? "-", format: o.format, color: o.color, depth: o.depth, output: o.output, maxErrors: o.maxErrors, stdin });
  });

program
  .command("fmt")
  .description("format specs in place (canonical style, comments kept)")
  .argument("[inputs...]", ".net files, folders or globs; - for stdin (formatted text to stdout)")
  .option("--check", "only report files that are not formatted (exit 1 if any)")
  .option("--diff", "print what would change as a unified diff (exit 1 if anything would)")
  .option("--stdout", "print the formatted text instead of writing")
  .addOption(formatOption())
  .option("--json", "short for --format json")
  .option(...stdinFlag)
  .option(...stdinName)
  .action(async (files: string[], o: { check?: boolean; diff?: boolean; stdout?: boolean; format: Format; json?: boolean } & StdinOptions) => {
    const stdin = await stdinSpec(files, o);
    if (typeof stdin === "number") return void (process.exitCode = stdin);
    const { run } = await import("./commands/fmt.js");
    process.exitCode = await run({ files: files.filter((f) => f !== "-"), check: !!o.check, diff: !!o.diff, stdout: !!o.stdout, format: o.json ? "json" : o.format, stdin });
  });

const compile = program
  .command("compile")
  .description("compile specs with one of the backends below; folders and globs build every spec below into --out, mirroring the folders and skipping those up to date")
  .argument("<inputs...>", ".net files, folders or globs")
  .addOption(
    new Option("--target <target>", "backend (see Targets below)")
      .choices(backends.map((b) => b.name))
      .makeOptionMandatory(),
  )
  .option("-o, --output <file>", "output file (backends that write one model file)")
  .option("--out <dir>", "output directory")
  .addOption(formatOption())
  .option(...maxErrors)
  .option(overrideOptions.set[0], overrideOptions.set[1], collect)
  .option(...overrideOptions.input)
  .addHelpText("after", `\nTargets:\n${backends.map((b) => `  ${b.name.padEnd(6)} ${b.description}`).join("\n")}`);
// An option several backends take (the triton target's ONNX options) is added
// once, with the first backend's description and every backend that takes it.
const optionTargets = new Map<string, string[]>();
for (const b of backends) for (const opt of b.options) optionTargets.set(opt.flags, [...(optionTargets.get(opt.flags) ?? []), b.name]);
for (const b of backends) {
  for (const opt of b.options) {
    const targets = optionTargets.get(opt.flags)!;
    if (targets[0] !== b.name) continue;
    const option = new Option(opt.flags, `${opt.description} (${targets.join(", ")})`);
    if (opt.value === "integer") option.argParser(int(opt.flags.split(" ")[0]!));
    if (opt.choices) option.choices(opt.choices);
    if (opt.default !== undefined) option.default(opt.default);
    compile.addOption(option);
  }
}
compile.action(async (specs: string[], o: Record<string, unknown> & { target: string; output?: string; out?: string; maxErrors?: number; format: Format }) => {
  const { target, output, out, maxErrors, format, set, input, ...options } = o;
  const overrides = overridesOf({ set: set as string[] | undefined, input: input as string | undefined });
  if (typeof overrides === "number") return void (process.exitCode = overrides);
  const { expandInputs } = await import("./inputs.js");
  const { terminalSafe } = await import("./report.js");
  const inputs = expandInputs(specs);
  for (const p of inputs.problems) process.stderr.write(`netc compile: ${terminalSafe(p)}\n`);
  if (inputs.problems.length > 0) return void (process.exitCode = EXIT_USAGE);
  if (inputs.expanded || inputs.files.length > 1) {
    // A build: every spec into --out, with a manifest of what is up to date.
    if (output !== undefined || out === undefined) {
      process.stderr.write("netc: compiling several specs needs --out DIR (and no -o)\n");
      return void (process.exitCode = EXIT_USAGE);
    }
    const { runMany } = await import("./commands/compile-many.js");
    process.exitCode = await runMany({ files: inputs.files, bases: inputs.bases, target, out, options, maxErrors, format, overrides });
    return;
  }
  const { run } = await import("./commands/compile.js");
  process.exitCode = await run({ file: inputs.files[0]!, target, output, out, options, maxErrors, format, overrides });
});

program
  .command("verify")
  .description("run one random batch through the tfjs (or PyTorch) model and the ONNX model and compare (exit 1 above 1e-4)")
  .argument("<inputs...>", ".net files, folders or globs")
  .option("--weights <checkpoint>", "PyTorch checkpoint, safetensors, ONNX model or tfjs checkpoint folder (default: seeded random weights)")
  .option("--weights-map <json>", "name map for --weights: {\"netc path or prefix\": \"file name or prefix\"} (default: by name if all match, else state_dict order)")
  .option("--seed <n>", "seed for weights and the batch", int("--seed"), 0)
  .option("--batch <n>", "batch size", int("--batch"), 2)
  .addOption(new Option("--against <backend>", "what runs against the ONNX model: netc's tfjs model, or the PyTorch target's model.py").choices(["tfjs", "pytorch"]).default("tfjs"))
  .option("--python <path>", "Python with PyTorch for --against pytorch", "/usr/bin/python3")
  .option("--json", "print the result as JSON (--format json does too)")
  .addOption(formatOption())
  .option(...maxErrors);
withOverrides(program.commands.at(-1)!)
  .action(async (specs: string[], o: { against: "tfjs" | "pytorch"; python: string; weights?: string; weightsMap?: string; seed: number; batch: number; json?: boolean; maxErrors?: number; format: Format } & OverrideFlags) => {
    const overrides = overridesOf(o);
    if (typeof overrides === "number") return void (process.exitCode = overrides);
    const missing = (await import("./optional-deps.js")).missingOnnxRuntime();
    if (missing) return void (process.stderr.write(missing), (process.exitCode = 2));
    const { run } = await import("./commands/verify.js");
    process.exitCode = await run({ overrides, specs, weights: o.weights, weightsMap: o.weightsMap, seed: o.seed, batch: o.batch, json: !!o.json || o.format === "json", maxErrors: o.maxErrors, format: o.format, against: o.against, python: o.python });
  });

program
  .command("infer")
  .description("run an ONNX model with onnxruntime: top-5 classes for an image, or latency")
  .argument("<model>", ".onnx file")
  .addOption(new Option("--ep <provider>", "execution provider").choices(["cpu", "cuda", "webgpu"]).default("cpu"))
  .option("--batch <n>", "batch size", int("--batch"), 1)
  .option("--image <file>", "PNG or JPEG image to classify (torchvision's evaluation transforms: resize, centre crop, the spec's preprocessing)")
  .option("--labels <file>", "class names for --image, one per line")
  .option("--resize <n>", "shorter side before the centre crop (default: crop / 0.875, 256 for 224)", int("--resize"))
  .option("--runs <n>", "timed runs", int("--runs"), 20)
  .option("--json", "print JSON")
  .action(async (model: string, o: { ep: "cpu" | "cuda" | "webgpu"; batch: number; image?: string; labels?: string; resize?: number; runs: number; json?: boolean }) => {
    const missing = (await import("./optional-deps.js")).missingOnnxRuntime();
    if (missing) return void (process.stderr.write(missing), (process.exitCode = 2));
    const { run } = await import("./commands/infer.js");
    process.exitCode = await run({ model, ep: o.ep, batch: o.batch, image: o.image, labels: o.labels, resize: o.resize, runs: o.runs, json: !!o.json });
  });

// `netc weights SPEC` lists; `netc weights export SPEC ...` writes (commander runs the
// subcommand when the first operand names it, the listing otherwise).
// Options after `export` are the subcommand's (its --format names a file format).
const weights = program
  .command("weights")
  .enablePositionalOptions()
  .description("list the tensors a spec expects, in PyTorch state_dict order, and with --weights how a file maps onto them; `weights export` writes them")
  .argument("<spec>", ".net file")
  .option("--weights <file>", "PyTorch checkpoint, safetensors, ONNX model or tfjs checkpoint folder to match against the spec")
  .option("--weights-map <json>", "name map for --weights: {\"netc path or prefix\": \"file name or prefix\"}")
  .option("--json", "print JSON")
  .addOption(formatOption())
  .option(...maxErrors)
  .action(async (spec: string, o: { weights?: string; weightsMap?: string; json?: boolean; maxErrors?: number; format: Format }) => {
    const { run } = await import("./commands/weights.js");
    process.exitCode = await run({ spec, weights: o.weights, weightsMap: o.weightsMap, json: !!o.json || o.format === "json", maxErrors: o.maxErrors, format: o.format });
  });
withOverrides(
  weights
    .command("export")
    .description("export a netc checkpoint as safetensors or a PyTorch state_dict (torch.save's format), in PyTorch's layout and order")
    .argument("<spec>", ".net file the checkpoint was trained from")
    .requiredOption("--from <checkpoint>", "tfjs checkpoint directory (netc's training output)")
    .addOption(new Option("--format <format>", "file format").choices(["safetensors", "pytorch"]).makeOptionMandatory())
    .requiredOption("-o, --output <file>", "file to write")
    .option("--names <file>", "the names to write, one per line in state_dict order (e.g. model.state_dict().keys()); default: netc's layer paths")
    .option("--steps <n>", "BatchNorm's num_batches_tracked", int("--steps"), 0)
    .option(...maxErrors),
).action(async (spec: string, o: { from: string; format: "safetensors" | "pytorch"; output: string; names?: string; steps: number; maxErrors?: number } & OverrideFlags) => {
  const overrides = overridesOf(o);
  if (typeof overrides === "number") return void (process.exitCode = overrides);
  const { run } = await import("./commands/weights-export.js");
  process.exitCode = await run({ spec, from: o.from, format: o.format, output: o.output, names: o.names, steps: o.steps, overrides, maxErrors: o.maxErrors });
});

program
  .command("diff")
  .description("what changed between two versions of a network, layer by layer, and whether it breaks (exit 1 on a breaking change)")
  .argument("<old>", "the old spec: a .net file or git:REF:path")
  .argument("<new>", "the new spec: a .net file or git:REF:path")
  .addOption(new Option("--format <format>", "how the result is printed").choices(["text", "json", "github-actions"]).default("text"))
  .option("--json", "short for --format json")
  .option(...maxErrors);
withOverrides(program.commands.at(-1)!)
  .action(async (oldSpec: string, newSpec: string, o: { format: "text" | "json" | "github-actions"; json?: boolean; maxErrors?: number } & OverrideFlags) => {
    const overrides = overridesOf(o);
    if (typeof overrides === "number") return void (process.exitCode = overrides);
    const { run } = await import("./commands/diff.js");
    process.exitCode = await run({ old: oldSpec, new: newSpec, format: o.json ? "json" : o.format, maxErrors: o.maxErrors, overrides });
  });

program
  .command("lsp")
  .description("start the language server on stdio")
  .option("--stdio", "use stdio (the default)")
  .action(async () => {
    const { run } = await import("./commands/lsp.js");
    await run();
  });

// `netc check ... | head` closes the pipe early: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.code === "commander.helpDisplayed" || e.code === "commander.version" ? 0 : EXIT_USAGE;
  } else {
    process.stderr.write(`netc: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 70;
  }
}
