// chevrotain, loaded from its single-file bundle. The package's entry point pulls
// in a few hundred ES modules (lodash-es among them) and takes ~0.5 s to load on
// this 2-core machine; the bundle it ships beside it loads in ~30 ms. The bundle
// is not in the package's exports map, so it is located from the entry point.
// Falls back to the entry point if a future layout moves the bundle.

type Chevrotain = typeof import("chevrotain");

async function load(): Promise<Chevrotain> {
  try {
    const bundle = new URL("../chevrotain.min.mjs", import.meta.resolve("chevrotain"));
    return (await import(bundle.href)) as Chevrotain;
  } catch {
    return await import("chevrotain");
  }
}

const chevrotain = await load();

export const { createToken, EOF, EMPTY_ALT, tokenMatcher, NoViableAltException, EarlyExitException, LLkLookaheadStrategy, getLookaheadPaths } = chevrotain;
// Classes are re-exported as value and type, so `Lexer` still names the instance type.
export const Lexer = chevrotain.Lexer;
export type Lexer = import("chevrotain").Lexer;
export const CstParser = chevrotain.CstParser;
export type CstParser = import("chevrotain").CstParser;
export type * from "chevrotain";
