// Every emitted model passes onnx.checker.check_model(full_check=True) (Debian's
// python3-onnx), including adversarial names and external data, and
// onnxruntime loads them.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import onnxProto from "onnx-proto";
import { emitOnnx, writeOnnx } from "../../src/emit/onnx/index.js";
import { EXTERNAL_ALIGNMENT } from "../../src/emit/onnx/external-data.js";
import { graphs } from "./graphs.js";
import { IrBuilder } from "./ir-builder.js";
import { compareWithReference, pythonCheck, randomInput, randomWeights, runOrt, tempDir } from "./harness.js";
import { runReference } from "../reference/run-graph.js";
import { needPythonOnnx, runs } from "../requirements.js";

const { onnx } = onnxProto;
const python = runs(needPythonOnnx(), "the python onnx checker tests");

function adversarial() {
  const long = "L".repeat(300);
  const g = new IrBuilder('Net "quoted" / ünï', [3, 6, 6], "图像 \"in\"/put", 'specs/we"ird.net');
  const a = g.conv('conv "1"/a\\b', 0, { out: 4, kernel: 3, pads: 1, act: "relu" });
  const b = g.conv("conv \"1\"/a\\b/relu", a, { out: 4, kernel: 1, act: "relu" }); // collides with a helper name
  const c = g.bn(`${long}/bn`, g.conv(long, b, { out: 4, kernel: 1 }), 1e-3, "relu6");
  const d = g.conv("output", c, { out: 4, kernel: 1 }); // collides with the graph output's name
  const e = g.conv("图像 \"in\"/put", d, { out: 2, kernel: 1 }); // collides with the input's name
  const f = g.flatten("🙂 flat", g.pool("pool\n\ttab", "avgpool", e, { kernel: 3, stride: 2, ceil: true, pads: 1 }));
  return g.build(g.dense("", f, 3));
}

describe.runIf(python)("python onnx checker", () => {
  it("accepts every test graph, folded and not", () => {
    const dir = tempDir();
    for (const [name, graph] of Object.entries(graphs())) {
      for (const fold of [true, false]) {
        const p = join(dir, `${name}-${fold}.onnx`);
        writeOnnx(graph, p, { foldBatchNorm: fold });
        expect(() => pythonCheck(p), `${name} fold=${fold}`).not.toThrow();
      }
    }
  });

  it("accepts adversarial names", () => {
    const p = join(tempDir(), "adversarial.onnx");
    writeOnnx(adversarial(), p);
    pythonCheck(p);
  });

  it("accepts external data", () => {
    const p = join(tempDir(), "ext.onnx");
    writeOnnx(graphs().conv_variants!, p, { externalDataThreshold: 0 });
    expect(existsSync(`${p}.data`)).toBe(true);
    pythonCheck(p);
  });
});

describe("names and external data", () => {
  it("adversarial names run and stay exact where they are IR names", async () => {
    const graph = adversarial();
    const r = await compareWithReference(graph, { batch: 2 });
    expect(r.maxDiff).toBeLessThan(1e-5);
    const m = onnx.ModelProto.decode(emitOnnx(graph).model);
    const names = m.graph!.node!.map((n) => n.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain("L".repeat(300));
    expect(names).toContain('conv "1"/a\\b/relu');
    expect(m.graph!.input![0]!.name).toBe('图像 "in"/put');
    const values = m.graph!.node!.flatMap((n) => n.output!);
    expect(new Set(values).size).toBe(values.length);
  });

  it("writes aligned external data that onnxruntime loads", async () => {
    const graph = graphs().batchnorm!;
    const weights = randomWeights(graph);
    const dir = tempDir();
    const p = join(dir, "model.onnx");
    writeOnnx(graph, p, { weights, externalDataThreshold: 100 });
    expect(readdirSync(dir).sort()).toEqual(["model.onnx", "model.onnx.data"]);
    const m = onnx.ModelProto.decode(readFileSync(p));
    const external = m.graph!.initializer!.filter((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL);
    expect(external.length).toBeGreaterThan(0);
    for (const t of external) {
      const kv = Object.fromEntries(t.externalData!.map((e) => [e.key, e.value]));
      expect(kv.location).toBe("model.onnx.data");
      expect(Number(kv.offset) % EXTERNAL_ALIGNMENT).toBe(0);
      expect(t.rawData!.length).toBe(0);
    }
    const per = graph.inputShape.reduce((a, b) => a * b, 1);
    const input = randomInput(per);
    const got = await runOrt(p, graph.inputName, [1, ...graph.inputShape], input);
    const ref = runReference(graph, weights, input);
    const diff = Math.max(...Array.from(ref.data, (v, i) => Math.abs(v - got.data[i]!)));
    expect(diff).toBeLessThan(1e-5);
  });

  it("keeps small models in one file by default", () => {
    const out = emitOnnx(graphs().pools!);
    expect(out.externalData).toBeUndefined();
  });
});
