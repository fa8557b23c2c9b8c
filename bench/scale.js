// Large specs: checking a 2 MB and an 8 MiB spec of several shapes (many small
// networks, one long network, many blocks, nesting, long expressions, every
// line an error), each in its own process so that its peak RSS
// (process.resourceUsage().maxRSS) is its own. The baseline is the same child
// generating the same text without checking it: the difference is netc's.
// Goals: 2 MB under 2 s, 8 MiB under 10 s, both under 1 GB. Time is the
// child's CPU time (process.cpuUsage, all threads, the garbage collector's
// included): on this shared 2-core machine wall time mostly measures the other
// jobs (under a load of 5 it is 3-4x the CPU time). Each row says whether it
// meets the goal; the last line how many do.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { KINDS, largeSpec } from "./large-specs.js";

const MB2 = 2_000_000;
const MIB8 = 8 * 1024 * 1024 - 4096; // just under the 8 MiB file limit

/** CPU time of the calling thread in ms (Linux: /proc/thread-self/schedstat, in ns), or undefined. */
function threadCpuMs() {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
  } catch {
    return undefined;
  }
}

async function child(kind, bytes, check) {
  const text = largeSpec(kind, bytes);
  const { checkText } = await import("../dist/check/index.js");
  const cpu0 = process.cpuUsage();
  const main0 = threadCpuMs();
  const t = performance.now();
  let diagnostics = 0;
  if (check) diagnostics = checkText(text, "/bench/large.net", { readFile: () => undefined }).diagnostics.length;
  const ms = performance.now() - t;
  const main1 = threadCpuMs();
  const cpu = process.cpuUsage(cpu0);
  const mainCpuMs = main0 === undefined || main1 === undefined ? undefined : main1 - main0;
  console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, mainCpuMs, maxRssMB: process.resourceUsage().maxRSS / 1024, bytes: text.length, diagnostics }));
}

function run(kind, bytes, check) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", kind, String(bytes), check ? "check" : "baseline"], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) return { error: `exit ${r.status} ${r.signal ?? ""}: ${(r.stderr ?? "").slice(-300)}` };
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

export function benchScale({ kinds2 = KINDS, kinds8 = ["networks", "statements", "errors"] } = {}) {
  const out = [];
  for (const [bytes, kinds, goalMs] of [[MB2, kinds2, 2000], [MIB8, kinds8, 10000]]) {
    for (const kind of kinds) {
      const base = run(kind, bytes, false);
      const r = run(kind, bytes, true);
      const row = { kind, megabytes: +(bytes / 1e6).toFixed(2), ...r, baselineRssMB: base.maxRssMB, goalCpuMs: goalMs, goalRssMB: 1024, loadavg: +loadavg()[0].toFixed(1) };
      row.met = !r.error && r.cpuMs < goalMs && r.maxRssMB < 1024;
      const verdict = row.met ? "PASS" : "FAIL";
      const s = (ms) => (ms === undefined ? "?" : (ms / 1000).toFixed(2));
      process.stderr.write(`  ${verdict} ${kind} ${row.megabytes} MB: ${r.error ?? `cpu ${s(r.cpuMs)} s (goal ${goalMs / 1000} s; checking thread ${s(r.mainCpuMs)} s; wall ${s(r.ms)} s at load ${row.loadavg}), peak RSS ${r.maxRssMB.toFixed(0)} MB (goal 1024; baseline ${base.maxRssMB?.toFixed(0)} MB)`}\n`);
      out.push(row);
    }
  }
  const met = out.filter((r) => r.met).length;
  process.stderr.write(`  scale goal: ${met === out.length ? "PASS" : "FAIL"} (${met} of ${out.length} specs within their CPU time and 1 GB)\n`);
  return { goalMet: met === out.length, rows: out };
}

if (process.argv[2] === "--child") await child(process.argv[3], Number(process.argv[4]), process.argv[5] === "check");
else if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(benchScale(), null, 2));
