// A bounded, seeded run of the fuzzer (`npm run fuzz` runs 100,000): generated
// and mutated specs through check, fmt, the tfjs code generator and the ONNX
// emitter, against src/. Any internal error fails, with the case written out.
import { join } from "node:path";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import * as check from "../../src/check/index.js";
import * as format from "../../src/format/index.js";
import * as parse from "../../src/syntax/parse.js";
import * as plan from "../../src/emit/tfjs/plan.js";
import * as modelCode from "../../src/emit/tfjs/model-code.js";
import * as trainCode from "../../src/emit/tfjs/train-code.js";
import * as onnxEmit from "../../src/emit/onnx/emit.js";
import * as onnxProto from "../../src/emit/onnx/proto.js";
// @ts-ignore: plain JS, shared with the `npm run fuzz` script
import { netcFrom, runRange } from "../../scripts/fuzz/engine.js";
// @ts-ignore
import { loadCorpus } from "../../scripts/fuzz/mutate.js";
// @ts-ignore
import { writeCase } from "../../scripts/fuzz/write-case.js";

const root = join(new URL(".", import.meta.url).pathname, "../..");

describe("fuzz", () => {
  it("a seeded run of generated and mutated specs has no internal errors", () => {
    const netc = netcFrom({ check, format, parse, plan, modelCode, trainCode, onnxEmit, onnxProto });
    const corpus = loadCorpus(root);
    const out = join(tmpdir(), "netc-fuzz-test");
    const failed: string[] = [];
    const totals = runRange(netc, corpus, 20261202, 0, 100, (index: number, r: { failures: { category: string; detail: string }[] }, c: unknown) => {
      if (r.failures.length === 0) return;
      const dir = writeCase(out, r.failures[0]!.category, index, c, r.failures);
      failed.push(`case ${index} (${dir}): ${r.failures.map((f) => `${f.category}: ${f.detail}`).join("; ")}`);
    });
    // Not asserted (no wall-clock assertions): shown to spot slow paths.
    console.log(`fuzz: ${totals.cases} specs, ${totals.clean} clean; slowest ${totals.slowest.map((s: { index: number; ms: number }) => `#${s.index} ${s.ms.toFixed(0)} ms`).join(", ")}`);
    expect(totals.clean).toBeGreaterThan(10);
    expect(failed).toEqual([]);
  });
});
