// The CLI builds the parser without chevrotain's grammar validation (start-up
// cost); this proves the grammar passes it.
import { describe, expect, it } from "vitest";
import { NetParser } from "../../src/syntax/parser.js";

describe("grammar", () => {
  it("passes chevrotain's validations (no ambiguity, no left recursion)", () => {
    expect(() => new NetParser(true)).not.toThrow();
  });
});
