import { expect } from "vitest";
import { formatSource } from "../../src/format/index.js";
import { parse } from "../../src/syntax/parse.js";
import { stripSpans } from "../syntax/helpers.js";

/** Formatting is idempotent, keeps the AST (modulo spans) and every comment. */
export function checkRoundTrip(text: string, path = "t.net"): string {
  const before = parse(text, path);
  const once = formatSource(text, path);
  expect(once.diagnostics).toEqual(before.diagnostics);
  const after = parse(once.text, path);
  // Warnings (NET1020 on a `// 2`) survive formatting; nothing becomes an error.
  expect(after.diagnostics.map((d) => d.code)).toEqual(before.diagnostics.map((d) => d.code));
  expect(after.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(stripSpans(after.file.items)).toEqual(stripSpans(before.file.items));
  expect(after.file.comments.map((c) => c.text.trimEnd())).toEqual(before.file.comments.map((c) => c.text.trimEnd()));
  expect(formatSource(once.text, path).text).toBe(once.text);
  return once.text;
}

