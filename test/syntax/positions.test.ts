import { expect, test } from "vitest";
import { lineStarts, offsetToPosition, positionToOffset } from "../../src/syntax/positions.js";

test("offsets and positions round-trip", () => {
  const text = "ab\ncd\r\n\nx";
  expect(lineStarts(text)).toEqual([0, 3, 7, 8]);
  for (let o = 0; o <= text.length; o++) {
    const p = offsetToPosition(text, o);
    expect(positionToOffset(text, p)).toBe(o);
  }
  expect(offsetToPosition(lineStarts(text), 4)).toEqual({ line: 1, column: 1 });
  expect(offsetToPosition(text, text.length)).toEqual({ line: 3, column: 1 });
  expect(positionToOffset(text, { line: 99, column: 0 })).toBe(text.length);
  expect(positionToOffset(text, { line: 0, column: 99 })).toBe(2);
});

test("line starts with the text's length clamp exactly as the text does (the language server's cached form)", () => {
  for (const text of ["ab\ncd\r\n\nx", "", "\n", "x\n", "é\u{1F600}\nz"]) {
    const starts = lineStarts(text);
    for (let line = -1; line <= starts.length + 1; line++)
      for (let column = -1; column <= 8; column++)
        expect(positionToOffset(starts, { line, column }, text.length), `${JSON.stringify(text)} ${line}:${column}`).toBe(positionToOffset(text, { line, column }));
  }
  // Without the length, columns run on past the line (callers that know better).
  expect(positionToOffset(lineStarts("ab\ncd"), { line: 0, column: 9 })).toBe(9);
});
