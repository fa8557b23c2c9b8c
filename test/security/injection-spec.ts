// A spec whose every user-chosen piece of text (statement names, aux head,
// block names, `///` docs, the spec's file name, the import path) is a
// parameter, compiled in memory to tfjs (TS and JS) and ONNX; and the probes
// the injection tests apply to the output: the TypeScript parser's view of
// generated code, and the raw bytes of every string in an ONNX file.
import { dirname, resolve } from "node:path";
import ts from "typescript";
import { checkText } from "../../src/check/index.js";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { planModel, tfjsSources } from "../../src/emit/tfjs/index.js";
import { modelSource } from "../../src/emit/tfjs/model-code.js";
import { trainSource } from "../../src/emit/tfjs/train-code.js";

export interface SpecText {
  /** Statement names (quoted in the spec): a conv, a block call, a node inside a block, an aux head, a concat. */
  conv: string;
  call: string;
  inner: string;
  libInner: string;
  aux: string;
  merge: string;
  /** `///` doc text (one line each). */
  doc: string;
  /** Block names (identifiers: letters, digits, `_`). */
  block: string;
  libBlock: string;
  /** The spec's file name and the import path written in it. */
  file: string;
  imp: string;
  /** Write control characters, U+2028/2029 raw in the source (else as `\u{...}`). */
  raw: boolean;
}

export const PLAIN: SpecText = {
  conv: "conv",
  call: "call",
  inner: "inner",
  libInner: "libInner",
  aux: "aux",
  merge: "merge",
  doc: "doc",
  block: "Blk",
  libBlock: "Lib",
  file: "spec.net",
  imp: "lib.net",
  raw: false,
};

/** A .net string literal with value `s`. NUL and lone surrogates always go as escapes (a text file cannot hold them). */
export function quote(s: string, raw: boolean): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (cp === 0 || (cp >= 0xd800 && cp <= 0xdfff)) out += `\\u{${cp.toString(16)}}`;
    else if (!raw && (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029)) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

/** `///` comment text: one line, no NUL. */
const docLine = (s: string) => s.replace(/[\n\0]/g, " ");

export function specTexts(p: SpecText): { main: string; lib: string } {
  const q = (s: string) => quote(s, p.raw);
  const main = [
    `import ${q(p.imp)}`,
    "",
    `/// ${docLine(p.doc)}`,
    `/// [x](command:workbench.action.quit) ${docLine(p.doc)}`,
    `block ${p.block}(c) {`,
    `  /// ${docLine(p.doc)}`,
    `  ${q(p.inner)} = conv 1x1 c relu`,
    "  seq { conv 1x1 c; relu }",
    "}",
    "",
    `/// ${docLine(p.doc)}`,
    "network Net(classes = 10) {",
    "  input 3x8x8",
    `  /// ${docLine(p.doc)}`,
    `  ${q(p.conv)} = conv 3x3 4 pad=1 bn relu`,
    `  c = ${p.libBlock}(4)`,
    `  ${q(p.call)} = ${p.block}(4)`,
    "  x = conv 1x1 4",
    `  ${q(p.aux)} = seq { flatten; dense classes } from x weight 0.3`,
    `  ${q(p.merge)} = concat { conv 1x1 2; maxpool 3x3/1 pad=1 } from x`,
    "  flatten",
    "  dense classes",
    "}",
    "",
  ].join("\n");
  const lib = [
    `/// ${docLine(p.doc)}`,
    `block ${p.libBlock}(c) {`,
    `  ${q(p.libInner)} = conv 1x1 c`,
    "  seq { conv 1x1 c; relu }",
    "}",
    "",
  ].join("\n");
  return { main, lib };
}

export interface Compiled {
  /** "model.ts", "train.ts", "model.js", "train.js" -> text. */
  code: Map<string, string>;
  onnx: Uint8Array;
}

/**
 * Checks and compiles the spec in memory (no file is read or written).
 * `formatted`: the files exactly as netc writes them; else the code as printed,
 * before prettier (which keeps the syntax tree), ten times faster.
 */
export async function compileSpec(p: SpecText, formatted: boolean): Promise<Compiled> {
  const { main, lib } = specTexts(p);
  const dir = "/virtual/specs";
  const entry = resolve(dir, p.file);
  const libPath = resolve(dirname(entry), p.imp);
  const texts = new Map([
    [entry, main],
    [libPath, lib],
  ]);
  const r = checkText(main, entry, { readFile: (path) => texts.get(path) });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (!r.graph || errors.length > 0) {
    throw new Error(`spec does not check: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}\n${main}`);
  }
  const code = new Map<string, string>();
  for (const js of [false, true]) {
    const ext = js ? "js" : "ts";
    if (formatted) {
      const files = await tfjsSources(r.graph, { js, specPath: p.file, netcVersion: "test" });
      for (const [name, text] of files) code.set(name, text);
    } else {
      const plan = planModel(r.graph);
      const o = { ts: !js, specPath: p.file, netcVersion: "test" };
      code.set(`model.${ext}`, modelSource(plan, o));
      code.set(`train.${ext}`, trainSource(plan, o));
    }
  }
  return { code, onnx: emitOnnx(r.graph).model };
}

export interface CodeShape {
  /** Syntax kinds of every node, depth first, and JSDoc tags (identifier, string and comment text left out). */
  kinds: string[];
  statements: number;
  diagnostics: string[];
}

/** How TypeScript's parser reads `code`: the same shape means the same statements and expressions. */
export function codeShape(code: string, js: boolean): CodeShape {
  const sf = ts.createSourceFile(js ? "m.js" : "m.ts", code, ts.ScriptTarget.Latest, false, js ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const kinds: string[] = [];
  const visit = (n: ts.Node): void => {
    kinds.push(ts.SyntaxKind[n.kind]!);
    // JSDoc tags are meaning too: `@type {T}` types a function in a .js file.
    for (const d of (n as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []) for (const t of d.tags ?? []) kinds.push(`@${t.tagName.text}`);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  const diagnostics = (sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics.map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, "\n"),
  );
  return { kinds, statements: sf.statements.length, diagnostics };
}

// Wire-format walk of a ModelProto: which fields hold text (field number ->
// "text") or a nested message (-> its schema), per onnx.proto.
type Schema = { [field: number]: "text" | (() => Schema) };
const dim: Schema = { 2: "text", 3: "text" };
const shape: Schema = { 1: () => dim };
const tensorType: Schema = { 2: () => shape };
const type: Schema = { 1: () => tensorType, 6: "text" };
const valueInfo: Schema = { 1: "text", 2: () => type, 3: "text" };
const entry: Schema = { 1: "text", 2: "text" };
const tensor: Schema = { 8: "text", 12: "text", 13: () => entry };
const attribute: Schema = { 1: "text", 4: "text", 5: () => tensor, 6: () => graph, 9: "text", 13: "text", 21: "text" };
const node: Schema = { 1: "text", 2: "text", 3: "text", 4: "text", 5: () => attribute, 6: "text", 7: "text" };
const graph: Schema = { 1: () => node, 2: "text", 5: () => tensor, 10: "text", 11: () => valueInfo, 12: () => valueInfo, 13: () => valueInfo };
const opset: Schema = { 1: "text" };
const model: Schema = { 2: "text", 3: "text", 4: "text", 6: "text", 7: () => graph, 8: () => opset, 14: () => entry };

export interface OnnxText {
  /** Path of field numbers ("7.1.3" = graph.node.name) -> raw bytes of each occurrence. */
  fields: { path: string; bytes: Uint8Array }[];
}

/** Every text field of an encoded ModelProto, as raw bytes (nothing decoded). */
export function onnxTextFields(bytes: Uint8Array): OnnxText {
  const fields: OnnxText["fields"] = [];
  const walk = (buf: Uint8Array, schema: Schema, path: string): void => {
    let pos = 0;
    const varint = (): number => {
      let v = 0;
      let mul = 1;
      for (;;) {
        const b = buf[pos++]!;
        v += (b & 0x7f) * mul;
        if (b < 0x80) return v;
        mul *= 128;
      }
    };
    while (pos < buf.length) {
      const tag = varint();
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (wire === 0) varint();
      else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else if (wire === 2) {
        const len = varint();
        const body = buf.subarray(pos, pos + len);
        pos += len;
        const kind = schema[field];
        const where = path ? `${path}.${field}` : String(field);
        if (kind === "text") fields.push({ path: where, bytes: body });
        else if (kind) walk(body, kind(), where);
      } else throw new Error(`unexpected wire type ${wire} at ${path}`);
    }
  };
  walk(bytes, model, "");
  return { fields };
}
