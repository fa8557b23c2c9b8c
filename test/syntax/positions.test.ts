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
