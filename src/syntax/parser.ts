// The .net grammar as a chevrotain CstParser: rules only, no embedded actions
// (lower.ts turns the CST into the AST). Rule names match grammar/net.ebnf; a
// test checks the two against each other.
//
// Error recovery: every statement-like item ends with the `end` rule (a new
// line, ';', or nothing before '}'), so a broken line fails inside its own
// statement and chevrotain re-synchronises at the next separator instead of
// abandoning the enclosing block.

import {
  CstParser,
  EOF,
  EMPTY_ALT,
  EarlyExitException,
  LLkLookaheadStrategy,
  NoViableAltException,
  getLookaheadPaths,
  type CstNode,
  type ILookaheadStrategy,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
  tokenMatcher,
} from "./chevrotain.js";
import * as T from "./lexer.js";

const BINARY_OPS = new Set<TokenType>([
  T.Plus, T.Minus, T.Star, T.Slash, T.Percent,
  T.EqEq, T.NotEq, T.Lt, T.LtEq, T.Gt, T.GtEq, T.And, T.Or,
]);
const BINARY_ALTS = [T.Or, T.And, T.EqEq, T.NotEq, T.LtEq, T.GtEq, T.Lt, T.Gt, T.Plus, T.Minus, T.Star, T.Slash, T.Percent];
const SPACED_VALUE = new Set<TokenType>([T.NumberLit, T.BadNumber, T.Dims]);
const SHAPE_START = new Set<TokenType>([T.Dims, T.NumberLit, T.BadNumber, T.LParen, T.Ident, T.StringLit, T.UnterminatedString]);

/** What each rule stands for, in messages ("Expected {this} but found ..."). */
const RULE_WORDS: Record<string, string> = {
  file: "'import', 'block' or 'network'",
  layer: "a layer (an op such as conv, a block call, seq, concat, add, mul or repeat)",
  ifLayer: "'if' followed by a condition",
  statement: "a layer (an op such as conv, a block call, seq, concat, add, mul or repeat)",
  end: "the end of the statement (a new line, ';' or '}')",
  netItem: "a network item (input, defaults, train, stem, body, head or a layer)",
  attr: "an attribute",
  annotation: "an annotation ('-> shape', '<- shape', 'params ~ N' or 'macs ~ N')",
  shapeAnnotation: "a shape such as 256x28x28 or an expression",
  costAnnotation: "'params' or 'macs' followed by '=' or '~'",
  inputDecl: "an input shape such as 3x224x224",
  section: "'stem', 'body' or 'head'",
  mergeLayer: "'concat', 'add' or 'mul'",
  sep: "a new line or ';'",
  expr: "an expression",
  andExpr: "an expression",
  notExpr: "an expression",
  comparison: "an expression",
  sum: "an expression",
  term: "an expression",
  unary: "an expression",
  atom: "an expression",
  statementName: "a name or a string",
};

function tokenWords(t: TokenType): string {
  return (t as TokenType & { LABEL?: string }).LABEL ?? t.name;
}

function listWords(words: string[]): string {
  const unique = [...new Set(words)];
  if (unique.length <= 1) return unique[0] ?? "something else";
  return unique.slice(0, -1).join(", ") + " or " + unique[unique.length - 1];
}

/**
 * An exception of chevrotain's class `Base` (instanceof it, with its name and
 * fields), made without Error's constructor: chevrotain's runs Error(), sets
 * the prototype and captures a stack trace, ~1.3 µs each even with
 * Error.stackTraceLimit at 0, once per bad line. Nothing reads the stack.
 */
function recognitionError(Base: typeof NoViableAltException | typeof EarlyExitException, message: string, token: IToken, previousToken: IToken): Error {
  let Light = lightClasses.get(Base);
  if (!Light) {
    const name = new Base("", token, previousToken).name;
    Light = function (this: Record<string, unknown>, m: string, t: IToken, p: IToken) {
      this.message = m;
      this.token = t;
      this.resyncedTokens = [];
      this.previousToken = p;
      this.name = name;
    } as unknown as LightError;
    Light.prototype = Base.prototype;
    lightClasses.set(Base, Light);
  }
  return new Light(message, token, previousToken);
}
type LightError = new (message: string, token: IToken, previousToken: IToken) => Error;
const lightClasses = new Map<unknown, LightError>();

/** The message of a no-viable-alternative error in `rule`, where it does not depend on the alternatives. */
export function ruleWords(rule: string): string | undefined {
  return RULE_WORDS[rule];
}

/** The message of a mismatched-token error expecting `expected`. */
export function mismatchWords(expected: TokenType): string {
  return messages.buildMismatchTokenMessage({ expected, actual: undefined as unknown as IToken, previous: undefined as unknown as IToken, ruleName: "" });
}

// Messages carry only the "expected" part; parse.ts adds what was found.
const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected }) => (expected === EOF ? RULE_WORDS["file"]! : tokenWords(expected)),
  buildNotAllInputParsedMessage: () => RULE_WORDS["file"]!,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, ruleName }) =>
    RULE_WORDS[ruleName] ?? listWords(expectedPathsPerAlt.flat().map((p) => (p[0] ? tokenWords(p[0]) : "")).filter(Boolean)),
  buildEarlyExitMessage: ({ expectedIterationPaths, ruleName }) =>
    RULE_WORDS[ruleName] ?? listWords(expectedIterationPaths.map((p) => (p[0] ? tokenWords(p[0]) : "")).filter(Boolean)),
};

/**
 * Chevrotain's LL(k) lookahead, but an alternation with gates reads each
 * alternative's GATE where it stands: chevrotain's copies the gates into a new
 * array on every call (map over the alternatives), in every rule with a gated
 * alternative (attr, layer, statement). Same paths, same order, same answer.
 */
class NetLookahead extends LLkLookaheadStrategy {
  override buildLookaheadForAlternation(options: Parameters<ILookaheadStrategy["buildLookaheadForAlternation"]>[0]): ReturnType<ILookaheadStrategy["buildLookaheadForAlternation"]> {
    if (!options.hasPredicates || options.dynamicTokensEnabled) return super.buildLookaheadForAlternation(options);
    const paths = getLookaheadPaths({ occurrence: options.prodOccurrence, rule: options.rule, prodType: "Alternation", maxLookahead: options.maxLookahead });
    return function (this: CstParser, alts?: { GATE?: () => boolean }[]): number | undefined {
      for (let t = 0; t < paths.length; t++) {
        const gate = alts![t]!.GATE;
        if (gate !== undefined && gate.call(this) === false) continue;
        const alt = paths[t]!;
        next: for (const path of alt) {
          for (let i = 0; i < path.length; i++) if (!tokenMatcher(this.LA(i + 1), path[i]!)) continue next;
          return t;
        }
      }
      return undefined;
    };
  }
}

export class NetParser extends CstParser {
  /**
   * Grammar validation (ambiguities, left recursion) is a third of the start-up
   * cost, and its answer cannot change at run time: the tests build the parser
   * with `validate: true` (test/syntax/grammar-valid.test.ts); the CLI skips it.
   */
  constructor(validate = false, { stockLookahead = false } = {}) {
    super(T.allTokens, {
      recoveryEnabled: true,
      maxLookahead: 2,
      // (test/syntax/parser-internals.test.ts parses with both and compares)
      lookaheadStrategy: stockLookahead ? new LLkLookaheadStrategy({ maxLookahead: 2 }) : new NetLookahead({ maxLookahead: 2 }),
      nodeLocationTracking: "onlyOffset",
      errorMessageProvider: messages,
      skipValidations: !validate,
    });
    this.performSelfAnalysis();
  }

  /**
   * Chevrotain's in-repetition recovery skips to the next point where the
   * repetition can go on and then calls the repetition again from inside
   * itself: one stack frame per broken line, so 1,500 bad lines overflow the
   * stack. The call it makes is its last act (a tail call), so it is run from
   * a loop here instead: a recovery at the same rule depth and repetition as the
   * one being looped hands its next round back to that loop.
   */
  private readonly trampolines: { depth: number; rule: unknown; occurrence: unknown; next?: unknown[] }[] = [];

  tryInRepetitionRecovery(
    grammarRule: (...args: unknown[]) => void,
    grammarRuleArgs: unknown[],
    lookAheadFunc: () => boolean,
    expectedTokType: TokenType,
  ): void {
    const depth = (this as unknown as { RULE_STACK_IDX: number }).RULE_STACK_IDX;
    const top = this.trampolines[this.trampolines.length - 1];
    let next: unknown[] | undefined;
    const defer = (...args: unknown[]) => {
      next = args;
    };
    const base = CstParser.prototype as unknown as { tryInRepetitionRecovery: (...a: unknown[]) => void };
    base.tryInRepetitionRecovery.call(this, defer, grammarRuleArgs, lookAheadFunc, expectedTokType);
    if (next === undefined) return;
    if (top && top.depth === depth && top.rule === grammarRule && top.occurrence === grammarRuleArgs[0]) {
      top.next = next;
      return;
    }
    const frame: { depth: number; rule: unknown; occurrence: unknown; next?: unknown[] } = { depth, rule: grammarRule, occurrence: grammarRuleArgs[0], next };
    this.trampolines.push(frame);
    try {
      while (frame.next !== undefined) {
        const args = frame.next;
        frame.next = undefined;
        grammarRule.apply(this, args);
      }
    } finally {
      this.trampolines.pop();
    }
  }

  /**
   * Where recovery may stop skipping: the first token ahead that can follow any
   * rule on the stack. Chevrotain scans for it from scratch on every error; at
   * the top level only the end of the file qualifies, so N bad lines cost N
   * scans to the end. A scan's answer holds for every position it passed over,
   * so it is kept and reused while recovery moves forward.
   */
  private resync?: { tokens: unknown; key: string; from: number; to: number; type: TokenType };

  findReSyncTokenType(): TokenType {
    const self = this as unknown as { currIdx: number; tokVector: unknown };
    const { follows, key } = this.stackFollows();
    const here = self.currIdx + 1;
    const c = this.resync;
    if (c && c.tokens === self.tokVector && c.key === key && c.from <= here && here <= c.to) return c.type;
    for (let k = 1; ; k++) {
      const next = this.LA(k);
      const found = follows.find((t) => tokenMatcher(next, t));
      if (found) {
        this.resync = { tokens: self.tokVector, key, from: here, to: here + k - 1, type: found };
        return found;
      }
    }
  }

  /**
   * Chevrotain's follow sets are a function of the rule stack (each rule and
   * the occurrence it was called at), but it builds them afresh (keys, names,
   * arrays) at every level an error passes through: they are kept here by
   * stack, as the list chevrotain would build (flattenFollowSet) and the
   * current rule's own set (isInCurrentRuleReSyncSet).
   */
  private readonly followSets: FollowNode = { next: new Map() };
  private readonly ruleFollowSets = new Map<number, Map<number, TokenType[] | undefined>>();

  private stackFollows(): { follows: TokenType[]; key: string } {
    const self = this as unknown as { RULE_STACK: number[]; RULE_OCCURRENCE_STACK: number[]; RULE_STACK_IDX: number; flattenFollowSet(): TokenType[] };
    // A trie on the stack (each level's rule and the occurrence it was called at): a lookup allocates nothing.
    let node = this.followSets;
    for (let i = 0; i <= self.RULE_STACK_IDX; i++) {
      const step = i === 0 ? self.RULE_STACK[0]! : self.RULE_STACK[i]! * 1024 + self.RULE_OCCURRENCE_STACK[i]!;
      let child = node.next.get(step);
      if (!child) {
        child = { next: new Map() };
        node.next.set(step, child);
      }
      node = child;
    }
    if (!node.value) {
      const follows = self.flattenFollowSet();
      node.value = { follows, key: follows.map((t) => t.tokenTypeIdx).join(",") };
    }
    return node.value;
  }

  isInCurrentRuleReSyncSet(tokType: TokenType): boolean {
    const self = this as unknown as {
      RULE_STACK: number[]; RULE_OCCURRENCE_STACK: number[]; RULE_STACK_IDX: number; RULE_OCCURRENCE_STACK_IDX: number; currRuleShortName: number;
      getCurrFollowKey(): unknown; getFollowSetFromFollowKey(key: unknown): TokenType[] | undefined;
    };
    const top = self.RULE_STACK_IDX === 0;
    const outer = top ? -1 : self.currRuleShortName * 1024 + self.RULE_OCCURRENCE_STACK[self.RULE_OCCURRENCE_STACK_IDX]!;
    const inner = top ? -1 : self.RULE_STACK[self.RULE_STACK_IDX - 1]!;
    let sets = this.ruleFollowSets.get(outer);
    if (!sets) {
      sets = new Map();
      this.ruleFollowSets.set(outer, sets);
    }
    let set = sets.get(inner);
    if (set === undefined && !sets.has(inner)) {
      set = self.getFollowSetFromFollowKey(self.getCurrFollowKey());
      sets.set(inner, set);
    }
    return set !== undefined && set.includes(tokType);
  }

  /**
   * The message of a no-viable-alternative or early-exit error depends only on
   * where in the grammar it is raised (the messages above read the rule and
   * its expected paths, never the tokens), but chevrotain computes the
   * expected paths from the grammar on every error: a file of bad lines spent
   * a tenth of its parsing there. The first error at each place is raised by
   * chevrotain itself and its message kept; later ones reuse it and raise the
   * same exception.
   */
  private readonly errorMessages = new Map<string, string>();

  raiseNoAltException(occurrence: number, errMsgTypes: string | undefined): never {
    return this.raiseCached(`${this.ruleFullName()}:${occurrence}`, "raiseNoAltException", [occurrence, errMsgTypes], NoViableAltException);
  }

  raiseEarlyExitException(occurrence: number, prodType: unknown, userDefinedErrMsg: string | undefined): never {
    return this.raiseCached(`${this.ruleFullName()}:${occurrence}:${String(prodType)}`, "raiseEarlyExitException", [occurrence, prodType, userDefinedErrMsg], EarlyExitException);
  }

  private ruleFullName(): string {
    return (this as unknown as { getCurrRuleFullName(): string }).getCurrRuleFullName();
  }

  private raiseCached(
    key: string,
    method: "raiseNoAltException" | "raiseEarlyExitException",
    args: unknown[],
    Exception: typeof NoViableAltException | typeof EarlyExitException,
  ): never {
    const message = this.errorMessages.get(key);
    if (message === undefined) {
      const base = CstParser.prototype as unknown as Record<typeof method, (...a: unknown[]) => never>;
      try {
        base[method].apply(this, args);
      } catch (e) {
        if (e instanceof Exception) this.errorMessages.set(key, e.message);
        throw e;
      }
    }
    const previous = this.LA(0);
    const self = this as unknown as { SAVE_ERROR(e: Error): Error };
    throw self.SAVE_ERROR(recognitionError(Exception, message!, this.LA(1), previous));
  }

  /**
   * Chevrotain's CST node, with a plain object for its children where
   * chevrotain makes one without a prototype: a dictionary object is several
   * times dearer to make and to fill, and a file of bad lines builds one per
   * rule per line. The keys are the grammar's rule names, token names and
   * labels, none of which Object.prototype has (test/syntax/parser-internals.test.ts
   * checks them all), and lower.ts reads only keys the grammar adds.
   */
  cstInvocationStateUpdate(fullRuleName: string): void {
    const self = this as unknown as { CST_STACK: CstNode[]; setInitialNodeLocation(n: CstNode): void };
    const node = { name: fullRuleName, children: {} } as CstNode;
    self.setInitialNodeLocation(node);
    self.CST_STACK.push(node);
  }

  private la2(type: TokenType): boolean {
    return this.LA(2).tokenType === type;
  }

  /**
   * Each OR's alternatives, built on its first call: a literal array of
   * alternatives is otherwise allocated (with its closures) on every call,
   * which was a large part of parsing time and garbage (chevrotain's own
   * performance advice). One slot per call site.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly alts: any[] = [];

  public file = this.RULE("file", () => {
    this.MANY(() =>
      this.OR(this.alts[0] ??= [
        { ALT: () => this.CONSUME(T.NL) },
        { ALT: () => this.SUBRULE(this.importDecl) },
        { ALT: () => this.SUBRULE(this.blockDecl) },
        { ALT: () => this.SUBRULE(this.networkDecl) },
      ]),
    );
  });

  public importDecl = this.RULE("importDecl", () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLit);
  });

  public blockDecl = this.RULE("blockDecl", () => {
    this.CONSUME(T.Block);
    this.CONSUME(T.Ident);
    this.CONSUME(T.LParen);
    this.OPTION(() => this.SUBRULE(this.paramList));
    this.CONSUME(T.RParen);
    this.MANY(() => this.SUBRULE(this.annotation));
    this.CONSUME(T.LBrace);
    this.SUBRULE(this.body);
    this.CONSUME(T.RBrace);
  });

  public paramList = this.RULE("paramList", () => {
    this.SUBRULE(this.param);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.param);
    });
  });

  public param = this.RULE("param", () => {
    this.CONSUME(T.Ident);
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expr);
    });
  });

  public networkDecl = this.RULE("networkDecl", () => {
    this.CONSUME(T.Network);
    this.CONSUME(T.Ident);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.OPTION2(() => this.SUBRULE(this.paramList));
      this.CONSUME(T.RParen);
    });
    this.CONSUME(T.LBrace);
    this.MANY(() =>
      this.OR(this.alts[1] ??= [
        { ALT: () => this.SUBRULE(this.sep) },
        {
          ALT: () => {
            this.SUBRULE(this.netItem);
            this.SUBRULE(this.end);
          },
        },
      ]),
    );
    this.CONSUME(T.RBrace);
  });

  /**
   * A piece of a network's items and a closing '}': parse.ts parses a very long
   * network as its header and then pieces of this rule, so that no CST of the
   * whole network is ever held (the same production as networkDecl's tail).
   */
  public networkRest = this.RULE("networkRest", () => {
    this.MANY(() =>
      this.OR(this.alts[23] ??= [
        { ALT: () => this.SUBRULE(this.sep) },
        {
          ALT: () => {
            this.SUBRULE(this.netItem);
            this.SUBRULE(this.end);
          },
        },
      ]),
    );
    this.CONSUME(T.RBrace);
  });

  public netItem = this.RULE("netItem", () => {
    this.OR(this.alts[2] ??= [
      { ALT: () => this.SUBRULE(this.inputDecl) },
      { ALT: () => this.SUBRULE(this.defaultsDecl) },
      { ALT: () => this.SUBRULE(this.trainDecl) },
      { ALT: () => this.SUBRULE(this.section) },
      { ALT: () => this.SUBRULE(this.statement) },
    ]);
  });

  public inputDecl = this.RULE("inputDecl", () => {
    this.CONSUME(T.Input);
    this.OPTION({
      GATE: () => SHAPE_START.has(this.LA(2).tokenType),
      DEF: () => this.CONSUME(T.Ident, { LABEL: "name" }),
    });
    this.OR(this.alts[3] ??= [{ ALT: () => this.CONSUME(T.Dims) }, { ALT: () => this.SUBRULE(this.expr) }]);
    // `input image 3x224x224 { scale 1/255; mean (...); std (...) }`: the preprocessing, one setting a line.
    this.OPTION2(() => {
      this.CONSUME(T.LBrace);
      this.MANY(() =>
        this.OR2(this.alts[24] ??= [
          { ALT: () => this.SUBRULE(this.sep) },
          {
            ALT: () => {
              this.SUBRULE(this.trainEntry);
              this.SUBRULE(this.end);
            },
          },
        ]),
      );
      this.CONSUME(T.RBrace);
    });
  });

  public defaultsDecl = this.RULE("defaultsDecl", () => {
    this.CONSUME(T.Defaults);
    this.CONSUME(T.LBrace);
    this.MANY(() =>
      this.OR(this.alts[4] ??= [
        { ALT: () => this.SUBRULE(this.sep) },
        {
          ALT: () => {
            this.SUBRULE(this.defaultEntry);
            this.SUBRULE(this.end);
          },
        },
      ]),
    );
    this.CONSUME(T.RBrace);
  });

  public defaultEntry = this.RULE("defaultEntry", () => {
    this.CONSUME(T.Ident);
    this.OPTION(() => this.CONSUME(T.Colon));
    this.SUBRULE(this.attr);
    this.MANY(() => {
      this.OPTION2(() => this.CONSUME(T.Comma));
      this.SUBRULE2(this.attr);
    });
  });

  public trainDecl = this.RULE("trainDecl", () => {
    this.CONSUME(T.Train);
    this.CONSUME(T.LBrace);
    this.MANY(() =>
      this.OR(this.alts[5] ??= [
        { ALT: () => this.SUBRULE(this.sep) },
        {
          ALT: () => {
            this.SUBRULE(this.trainEntry);
            this.SUBRULE(this.end);
          },
        },
      ]),
    );
    this.CONSUME(T.RBrace);
  });

  public trainEntry = this.RULE("trainEntry", () => {
    this.CONSUME(T.Ident);
    this.MANY(() => this.SUBRULE(this.attr));
  });

  public section = this.RULE("section", () => {
    this.OR(this.alts[6] ??= [
      { ALT: () => this.CONSUME(T.Stem, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(T.Body, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(T.Head, { LABEL: "keyword" }) },
    ]);
    this.CONSUME(T.LBrace);
    this.SUBRULE(this.body);
    this.CONSUME(T.RBrace);
  });

  public body = this.RULE("body", () => {
    this.MANY(() =>
      this.OR(this.alts[7] ??= [
        { ALT: () => this.SUBRULE(this.sep) },
        {
          ALT: () => {
            this.SUBRULE(this.statement);
            this.SUBRULE(this.end);
          },
        },
      ]),
    );
  });

  public sep = this.RULE("sep", () => {
    this.OR(this.alts[8] ??= [{ ALT: () => this.CONSUME(T.NL) }, { ALT: () => this.CONSUME(T.Semi) }]);
  });

  /** A separator, or nothing when the enclosing braces close right after. */
  public end = this.RULE("end", () => {
    this.OR(this.alts[9] ??= [
      { ALT: () => this.CONSUME(T.NL) },
      { ALT: () => this.CONSUME(T.Semi) },
      {
        GATE: () => this.LA(1).tokenType === T.RBrace || this.LA(1).tokenType === EOF,
        ALT: EMPTY_ALT(),
      },
    ]);
  });

  public statement = this.RULE("statement", () => {
    this.OPTION({
      GATE: () => this.la2(T.Equals),
      DEF: () => {
        this.SUBRULE(this.statementName);
        this.CONSUME(T.Equals);
      },
    });
    this.SUBRULE(this.layer);
    this.OPTION2(() => {
      this.CONSUME(T.From);
      this.CONSUME(T.Ident, { LABEL: "from" });
    });
    this.OPTION3(() => {
      this.CONSUME(T.Weight);
      this.SUBRULE(this.expr, { LABEL: "weight" });
    });
    this.MANY(() => this.SUBRULE(this.annotation));
  });

  public statementName = this.RULE("statementName", () => {
    this.OR(this.alts[10] ??= [{ ALT: () => this.CONSUME(T.Ident) }, { ALT: () => this.CONSUME(T.StringLit) }]);
  });

  public layer = this.RULE("layer", () => {
    this.OR(this.alts[11] ??= [
      { GATE: () => this.la2(T.LParen), ALT: () => this.SUBRULE(this.blockCall) },
      { ALT: () => this.SUBRULE(this.opLayer) },
      { ALT: () => this.SUBRULE(this.seqLayer) },
      { ALT: () => this.SUBRULE(this.mergeLayer) },
      { ALT: () => this.SUBRULE(this.repeatLayer) },
      { ALT: () => this.SUBRULE(this.ifLayer) },
    ]);
  });

  public blockCall = this.RULE("blockCall", () => {
    this.CONSUME(T.Ident);
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.argument);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.argument);
      });
    });
    this.CONSUME(T.RParen);
  });

  public argument = this.RULE("argument", () => {
    this.OPTION({
      GATE: () => this.la2(T.Equals),
      DEF: () => {
        this.CONSUME(T.Ident);
        this.CONSUME(T.Equals);
      },
    });
    this.SUBRULE(this.expr);
  });

  public opLayer = this.RULE("opLayer", () => {
    this.CONSUME(T.Ident);
    this.MANY(() => this.SUBRULE(this.attr));
  });

  public seqLayer = this.RULE("seqLayer", () => {
    this.CONSUME(T.Seq);
    this.CONSUME(T.LBrace);
    this.SUBRULE(this.body);
    this.CONSUME(T.RBrace);
  });

  public mergeLayer = this.RULE("mergeLayer", () => {
    this.OR(this.alts[12] ??= [
      { ALT: () => this.CONSUME(T.Concat, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(T.Add, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(T.Mul, { LABEL: "keyword" }) },
    ]);
    this.MANY(() => this.SUBRULE(this.attr));
    this.CONSUME(T.LBrace);
    this.SUBRULE(this.body);
    this.CONSUME(T.RBrace);
  });

  public repeatLayer = this.RULE("repeatLayer", () => {
    this.CONSUME(T.Repeat);
    this.SUBRULE(this.expr);
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME(T.Ident);
    });
    this.CONSUME(T.LBrace);
    this.SUBRULE(this.body);
    this.CONSUME(T.RBrace);
  });

  /** `if cond { ... } else { ... }`; `else` may start the next line. */
  public ifLayer = this.RULE("ifLayer", () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expr, { LABEL: "condition" });
    this.CONSUME(T.LBrace);
    this.SUBRULE(this.body, { LABEL: "then" });
    this.CONSUME(T.RBrace);
    this.OPTION({
      GATE: () => this.LA(1).tokenType === T.Else || (this.LA(1).tokenType === T.NL && this.LA(2).tokenType === T.Else),
      DEF: () => {
        this.OPTION2(() => this.CONSUME(T.NL));
        this.CONSUME(T.Else);
        this.CONSUME2(T.LBrace);
        this.SUBRULE2(this.body, { LABEL: "else" });
        this.CONSUME2(T.RBrace);
      },
    });
  });

  // Alternatives are tried in order: `k=v`, `k 1e-4`/`k 3x3`, a bare flag, and
  // last any expression (which takes `c1*2` and `min(a, b)` before the flag).
  public attr = this.RULE("attr", () => {
    this.OR(this.alts[13] ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: () => {
            this.CONSUME(T.Dims);
            this.OPTION(() => {
              this.CONSUME(T.Slash);
              this.SUBRULE(this.atom, { LABEL: "stride" });
            });
          },
        },
        {
          GATE: () => this.la2(T.Equals),
          ALT: () => {
            this.CONSUME1(T.Ident, { LABEL: "key" });
            this.CONSUME(T.Equals);
            this.SUBRULE(this.expr, { LABEL: "value" });
          },
        },
        {
          GATE: () => SPACED_VALUE.has(this.LA(2).tokenType),
          ALT: () => {
            this.CONSUME2(T.Ident, { LABEL: "key" });
            this.OR2(this.alts[22] ??= [
              { ALT: () => this.CONSUME2(T.NumberLit, { LABEL: "spacedNumber" }) },
              { ALT: () => this.CONSUME2(T.Dims, { LABEL: "spacedDims" }) },
            ]);
          },
        },
        {
          GATE: () => !BINARY_OPS.has(this.LA(2).tokenType) && this.LA(2).tokenType !== T.LParen,
          ALT: () => this.CONSUME3(T.Ident, { LABEL: "flag" }),
        },
        { ALT: () => this.SUBRULE2(this.expr, { LABEL: "value" }) },
      ],
    });
  });

  public annotation = this.RULE("annotation", () => {
    this.OR(this.alts[14] ??= [{ ALT: () => this.SUBRULE(this.shapeAnnotation) }, { ALT: () => this.SUBRULE(this.costAnnotation) }]);
  });

  public shapeAnnotation = this.RULE("shapeAnnotation", () => {
    this.OR(this.alts[15] ??= [
      { ALT: () => this.CONSUME(T.Arrow, { LABEL: "direction" }) },
      { ALT: () => this.CONSUME(T.BackArrow, { LABEL: "direction" }) },
    ]);
    this.OR2(this.alts[16] ??= [{ ALT: () => this.CONSUME(T.Dims) }, { ALT: () => this.SUBRULE(this.expr) }]);
  });

  public costAnnotation = this.RULE("costAnnotation", () => {
    this.OR(this.alts[17] ??= [
      { ALT: () => this.CONSUME(T.Params, { LABEL: "metric" }) },
      { ALT: () => this.CONSUME(T.Macs, { LABEL: "metric" }) },
    ]);
    this.OR2(this.alts[18] ??= [
      { ALT: () => this.CONSUME(T.Equals, { LABEL: "relation" }) },
      { ALT: () => this.CONSUME(T.Tilde, { LABEL: "relation" }) },
    ]);
    this.CONSUME(T.NumberLit, { LABEL: "value" });
    this.OPTION(() => {
      this.CONSUME(T.Tol);
      this.CONSUME2(T.NumberLit, { LABEL: "tolerance" });
      this.CONSUME(T.Percent);
    });
  });

  // Operators are flat here: `operand (op operand)*`. Precedence (loosest first:
  // or, and, not, comparisons, + -, * / %, signs) is applied in lower.ts. One
  // rule instead of seven levels makes every literal one CST node deep, which
  // keeps grammar analysis at start-up, parsing and recursion depth small.
  public expr = this.RULE("expr", () => {
    this.SUBRULE(this.operand);
    this.MANY(() => {
      this.OR(this.alts[19] ??= BINARY_ALTS.map((t) => ({ ALT: () => this.CONSUME(t, { LABEL: "op" }) })));
      this.SUBRULE2(this.operand);
    });
  });

  // Prefixes are loops, not recursion, so `not not ... x` and `- - ... 1` cannot overflow.
  public operand = this.RULE("operand", () => {
    this.MANY(() => this.CONSUME(T.Not, { LABEL: "not" }));
    this.MANY2(() =>
      this.OR(this.alts[20] ??= [
        { ALT: () => this.CONSUME(T.Minus, { LABEL: "sign" }) },
        { ALT: () => this.CONSUME(T.Plus, { LABEL: "sign" }) },
      ]),
    );
    this.SUBRULE(this.atom);
  });

  public atom = this.RULE("atom", () => {
    this.OR(this.alts[21] ??= [
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { GATE: () => this.la2(T.LParen), ALT: () => this.SUBRULE(this.callExpr) },
      { ALT: () => this.CONSUME(T.Ident) },
      { ALT: () => this.SUBRULE(this.parenExpr) },
    ]);
  });

  public callExpr = this.RULE("callExpr", () => {
    this.CONSUME(T.Ident);
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.expr);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.expr);
      });
    });
    this.CONSUME(T.RParen);
  });

  /** `(e)` is grouping; `(a, b, ...)` is a tuple. */
  public parenExpr = this.RULE("parenExpr", () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expr);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.expr);
    });
    this.CONSUME(T.RParen);
  });
}

/** A node of NetParser's trie of rule stacks. */
interface FollowNode {
  next: Map<number, FollowNode>;
  value?: { follows: TokenType[]; key: string };
}

let instance: NetParser | undefined;

/** The parser is built once: performSelfAnalysis is costly. */
export function getParser(): NetParser {
  instance ??= new NetParser();
  return instance;
}

export type { IToken };
