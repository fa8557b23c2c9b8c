import { describe, expect, test } from "vitest";
import { decodeString, lex, numberValue } from "../../src/syntax/lexer.js";

const kinds = (text: string) => lex(text, "t.net").tokens.map((t) => `${t.tokenType.name}:${t.image}`);

describe("lexer", () => {
  test("dims win over numbers, strides are separate tokens", () => {
    expect(kinds("3x3/2 1x7 3x224x224 64")).toEqual(["Dims:3x3", "Slash:/", "NumberLit:2", "Dims:1x7", "Dims:3x224x224", "NumberLit:64"]);
  });

  test("number forms and suffixes", () => {
    expect(kinds("0.4 .5 1e-4 2.5E3 159K 1.5G 3M")).toEqual(["NumberLit:0.4", "NumberLit:.5", "NumberLit:1e-4", "NumberLit:2.5E3", "NumberLit:159K", "NumberLit:1.5G", "NumberLit:3M"]);
    expect(numberValue("159K")).toEqual({ value: 159000, integer: true });
    expect(numberValue("1.5G")).toEqual({ value: 1.5e9, integer: false });
    expect(numberValue("1e3")).toEqual({ value: 1000, integer: false });
    expect(numberValue("1e999").value).toBe(Infinity);
    const big = numberValue("9".repeat(400));
    expect(big.integer).toBe(true);
    expect(Number.isSafeInteger(big.value)).toBe(false);
  });

  test("a number running into a name is one bad token (NET1004)", () => {
    const r = lex("12ab 3x 1e5q", "t.net");
    expect(r.tokens.map((t) => t.image)).toEqual(["12ab", "3x", "1e5q"]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NET1004", "NET1004", "NET1004"]);
  });

  test("keywords need whole words; op names are identifiers; unicode identifiers", () => {
    expect(kinds("import importer seq conv größe _x")).toEqual(["Import:import", "Ident:importer", "Seq:seq", "Ident:conv", "Ident:größe", "Ident:_x"]);
  });

  test("punctuation: arrows before minus", () => {
    expect(kinds("-> <- - { } ( ) , ; = : / * + % ~")).toEqual(
      ["Arrow:->", "BackArrow:<-", "Minus:-", "LBrace:{", "RBrace:}", "LParen:(", "RParen:)", "Comma:,", "Semi:;", "Equals:=", "Colon::", "Slash:/", "Star:*", "Plus:+", "Percent:%", "Tilde:~"],
    );
  });

  test("comments go aside; newlines are tokens", () => {
    const r = lex("conv // note\n/// doc\nrelu", "t.net");
    expect(r.tokens.map((t) => t.tokenType.name)).toEqual(["Ident", "NL", "NL", "Ident"]);
    expect(r.comments.map((c) => [c.text, c.doc])).toEqual([["// note", false], ["/// doc", true]]);
  });

  test("strings, escapes, unterminated strings", () => {
    expect(decodeString(String.raw`"a\"b\\c\nd\te\u{1F600}"`)).toBe('a"b\\c\nd\te\u{1F600}');
    const r = lex('"ok" "bad \\q" "open\nx', "t.net");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NET1008", "NET1002"]);
  });

  test("unknown characters are reported and skipped", () => {
    const r = lex("conv # 3x3 @@ relu", "t.net");
    expect(r.tokens.map((t) => t.image)).toEqual(["conv", "3x3", "relu"]);
    expect(r.diagnostics.map((d) => [d.code, d.span.offset])).toEqual([["NET1003", 5], ["NET1003", 11]]);
  });
});
