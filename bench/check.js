// Checker benchmarks. (1) Whole-process start-up: `netc check specs/googlenet.net`
// against bare `node -e 0`, alternating runs, medians. (2) Scaling: generated
// specs with 1x, 10x and 100x GoogLeNet's layers, checked in-process (parse,
// resolve, elaborate), medians; time per layer should stay flat.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeProcess(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: "ignore" });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

export function benchStartup(runs = 21) {
  const check = [];
  const bare = [];
  for (let i = 0; i < runs; i++) {
    bare.push(timeProcess(["-e", "0"]));
    check.push(timeProcess([join(root, "bin/netc.js"), "check", "specs/googlenet.net"]));
  }
  return { runs, bareNodeMs: median(bare), checkMs: median(check), overheadMs: median(check) - median(bare) };
}

/** GoogLeNet's body repeated `factor` times: 9 Inception modules per copy, at 14x14. */
export function generatedSpec(factor) {
  const lines = [readFileSync(join(root, "specs/lib/inception.net"), "utf8"), "network Big(classes = 1000) {", "  input 3x224x224", "  defaults { conv relu pad=same; pool ceil }"];
  lines.push("  conv 7x7/2 64 pad=3", "  maxpool 3x3/2", "  conv 1x1 64", "  conv 3x3 192", "  maxpool 3x3/2", "  maxpool 3x3/2", "  conv 1x1 512");
  for (let i = 0; i < 9 * factor; i++) lines.push(`  m${i} = Inception(192, 96, 208, 16, 48, 64) -> 512x14x14`);
  lines.push("  avgpool global", "  flatten", "  dense classes", "}");
  return lines.join("\n");
}

export async function benchScaling(factors = [1, 10, 100]) {
  const { checkText } = await import("../dist/check/index.js");
  const out = [];
  for (const factor of factors) {
    const text = generatedSpec(factor);
    const runs = factor >= 100 ? 5 : 11;
    const times = [];
    let nodes = 0;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const r = checkText(text, join(root, "specs/big.net"));
      times.push(performance.now() - t);
      if (!r.graph) throw new Error(`generated spec x${factor} does not check: ${r.diagnostics[0]?.message}`);
      nodes = r.graph.nodes.length;
    }
    const ms = median(times.slice(1));
    out.push({ factor, lines: text.split("\n").length, nodes, ms, usPerNode: (ms * 1000) / nodes });
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify({ startup: benchStartup(), scaling: await benchScaling() }, null, 2));
}
