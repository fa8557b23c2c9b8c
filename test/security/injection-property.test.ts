// Property: no text a spec contains changes the meaning of generated code.
// Arbitrary names, docs, file names and import paths (comment closers,
// backticks, `${`, quotes, every line terminator, lone surrogates, NUL,
// `</script>`) compile to tfjs code that TypeScript parses to the same syntax
// tree as with plain names, and to an ONNX file whose every string is valid,
// NUL-free UTF-8 with unique node and value names.
import fc from "fast-check";
import onnxProto from "onnx-proto";
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { pythonCheck, randomInput, runOrt, tempDir } from "../onnx/harness.js";
import { IrBuilder } from "../onnx/ir-builder.js";
import { codeShape, compileSpec, onnxTextFields, PLAIN, type CodeShape, type SpecText } from "./injection-spec.js";

const HOSTILE = [
  "*/", "/*", "/**", "//", "`", "${", "}", "'", '"', "\\", "\n", "\r", "\r\n", "\u2028", "\u2029", "\u0085",
  "\u000b", "\u000c", "\t", "\ud800", "\udfff", "\udbff\udfff", "\0", "</script>", "<!--", "-->", "#", "[x](command:y)",
  "<img src=x onerror=alert(1)>", ";", "console.log('PWNED');", " @type {string} ", "{@link x}", "\ufeff", "🙂", "ü", "图", "/", "..", " ",
];

const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 1, arbitrary: fc.string({ maxLength: 4, unit: "binary" }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
);
const text = fc.array(piece, { maxLength: 6 }).map((ps) => ps.join(""));
// A marker per role keeps the names distinct and unable to equal a path
// netc generates from another one ("x/bn"); the parse slice gives those a diagnostic.
const name = (role: string) => text.map((s) => `${s}#${role}`);
const ident = fc.array(fc.constantFrom("a", "Z", "_", "9", "ü", "图", "ǅ", "𝒜"), { maxLength: 5 }).map((cs) => cs.join(""));

const spec: fc.Arbitrary<SpecText> = fc.record({
  conv: name("conv"),
  call: name("call"),
  inner: name("inner"),
  libInner: name("libInner"),
  aux: name("aux"),
  merge: name("merge"),
  doc: text,
  block: ident.map((s) => `B${s}`),
  libBlock: ident.map((s) => `L${s}`),
  file: text.map((s) => `${s}#main.net`),
  imp: text.map((s) => `${s}#lib.net`),
  raw: fc.boolean(),
});

const utf8 = new TextDecoder("utf-8", { fatal: true });

function onnxProblems(bytes: Uint8Array): string[] {
  const problems: string[] = [];
  const nodeNames = new Set<string>();
  const outputs = new Set<string>();
  for (const f of onnxTextFields(bytes).fields) {
    let s: string;
    try {
      s = utf8.decode(f.bytes);
    } catch {
      problems.push(`${f.path}: invalid UTF-8 ${Buffer.from(f.bytes).toString("hex")}`);
      continue;
    }
    if (f.bytes.includes(0)) problems.push(`${f.path}: NUL in ${JSON.stringify(s)}`);
    if (f.path === "7.1.3") {
      if (nodeNames.has(s)) problems.push(`duplicate node name ${JSON.stringify(s)}`);
      nodeNames.add(s);
    }
    if (f.path === "7.1.2") {
      if (outputs.has(s)) problems.push(`value ${JSON.stringify(s)} written twice`);
      outputs.add(s);
    }
  }
  return problems;
}

const opTypes = (bytes: Uint8Array) =>
  onnxTextFields(bytes)
    .fields.filter((f) => f.path === "7.1.4")
    .map((f) => utf8.decode(f.bytes));

async function expectSameStructure(formatted: boolean, numRuns: number): Promise<void> {
  const plain = await compileSpec(PLAIN, formatted);
  const shapes = new Map<string, CodeShape>();
  for (const [file, code] of plain.code) {
    const s = codeShape(code, file.endsWith(".js"));
    expect(s.diagnostics, file).toEqual([]);
    shapes.set(file, s);
  }
  expect(onnxProblems(plain.onnx)).toEqual([]);
  const plainOps = opTypes(plain.onnx);

  await fc.assert(
    fc.asyncProperty(spec, async (p) => {
      const got = await compileSpec(p, formatted);
      for (const [file, code] of got.code) {
        const s = codeShape(code, file.endsWith(".js"));
        expect(s.diagnostics, file).toEqual([]);
        expect(s.statements, file).toBe(shapes.get(file)!.statements);
        expect(s.kinds, file).toEqual(shapes.get(file)!.kinds);
      }
      expect(onnxProblems(got.onnx)).toEqual([]);
      expect(opTypes(got.onnx)).toEqual(plainOps);
    }),
    { seed: formatted ? 11 : 9, numRuns },
  );
}

describe("spec text cannot inject code", () => {
  // Prettier keeps the syntax tree, so most runs check the code as printed; a
  // few go through prettier to check the files exactly as written.
  it("compiles to the same code structure and valid ONNX strings for any names, docs and paths", async () => {
    await expectSameStructure(false, 60);
  }, 60_000);

  it("the same, formatted as netc writes the files", async () => {
    await expectSameStructure(true, 3);
  }, 60_000);

  it("names that differ only in NUL or lone surrogates stay distinct in ONNX, and onnxruntime runs the model", async () => {
    const p = { ...PLAIN, conv: "a\0", call: "a\ud800", merge: "a\ufffd", aux: "a\udc00", inner: "\0", libInner: "\ud800" };
    const { onnx } = await compileSpec(p, false);
    expect(onnxProblems(onnx)).toEqual([]);
    const names = onnxTextFields(onnx).fields.filter((f) => f.path === "7.1.3").map((f) => utf8.decode(f.bytes));
    // conv, the block call's inner conv, the concat; the inner names of both imported and local blocks.
    expect(names).toEqual(expect.arrayContaining(["a\ufffd", "a\ufffd/\ufffd", "a\ufffd_1", "c/\ufffd"]));
    const out = await runOrt(onnx, "input", [2, 3, 8, 8], randomInput(2 * 3 * 8 * 8));
    expect(out.dims).toEqual([2, 10]);
    expect([...out.data].every(Number.isFinite)).toBe(true);
    const path = join(tempDir(), "sanitised.onnx");
    writeFileSync(path, onnx);
    pythonCheck(path); // onnx.checker, full check (python3-onnx, as test/onnx/validity.test.ts)
  });

  it("IR nodes with one name (which the checker reports) still get distinct ONNX node names", async () => {
    const g = new IrBuilder("Dup", [4, 4, 4]); // same weight shapes: weights are keyed by name
    const x = g.conv("a/b", 0, { out: 4, kernel: 1, act: "relu" });
    const y = g.conv("a/b", x, { out: 4, kernel: 1, act: "relu" });
    const { model } = emitOnnx(g.build(g.dense("fc", g.flatten("flat", y), 3)));
    expect(onnxProblems(model)).toEqual([]);
    expect((await runOrt(model, "input", [1, 4, 4, 4], randomInput(64))).dims).toEqual([1, 3]);
  });

  it("the probes see an injection when there is one", () => {
    const plain = codeShape("/** a */\nexport const x = 1;\n", true);
    const broken = codeShape("/** a */ console.log('PWNED'); /* */\nexport const x = 1;\n", true);
    expect(broken.statements).toBe(plain.statements + 1);
    const tagged = codeShape("/** a @type {string} */\nexport const x = 1;\n", true);
    expect(tagged.kinds).toContain("@type");
    expect(plain.kinds).not.toContain("@type");
    // Written without sanitising, protobufjs turns a lone surrogate into bytes that are not UTF-8.
    const { onnx } = onnxProto;
    const raw = onnx.ModelProto.encode(
      onnx.ModelProto.create({ graph: { node: [{ name: "a\ud800", opType: "Relu" }, { name: "b\0", opType: "Relu" }] } }),
    ).finish();
    expect(onnxProblems(raw)).toEqual([expect.stringMatching(/^7\.1\.3: invalid UTF-8/), expect.stringMatching(/^7\.1\.3: NUL/)]);
  });
});
