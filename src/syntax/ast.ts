// The abstract syntax tree of a .net file. Every node keeps its source span as
// offset + length into the file text; line/column are computed only at the edges
// (CLI printing, LSP). The parser always returns a tree, possibly partial: fields
// that the parser could not fill are `undefined`, never invented.

import type { Span } from "../util/span.js";

export type { Span };

export interface Node {
  span: Span;
}

export interface Ident extends Node {
  kind: "ident";
  name: string;
  /** Written as a string literal ("weird/name"), which allows any characters. */
  quoted?: boolean;
}

// ---- expressions ---------------------------------------------------------

export type Expr = NumberLit | BoolLit | StringLit | NameRef | Unary | Binary | Call | TupleExpr;

export interface NumberLit extends Node {
  kind: "number";
  /** Value after the K/M/G suffix is applied; may be Infinity for overflowing literals. */
  value: number;
  /** Source text, e.g. "159K", "1e-4". */
  text: string;
  /** True when written without '.', exponent or fraction (before a suffix). */
  integer: boolean;
}
export interface BoolLit extends Node {
  kind: "bool";
  value: boolean;
}
export interface StringLit extends Node {
  kind: "string";
  value: string;
}
export interface NameRef extends Node {
  kind: "name";
  name: string;
}
export interface Unary extends Node {
  kind: "unary";
  op: "-" | "+" | "not";
  operand: Expr | undefined;
}
export interface Binary extends Node {
  kind: "binary";
  op: "+" | "-" | "*" | "/" | "%" | CompareOp | "and" | "or";
  left: Expr | undefined;
  right: Expr | undefined;
}
export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";
/** A function call in an expression: min, max, floor, round, log, range, ... (src/check/values.ts). */
export interface Call extends Node {
  kind: "call";
  callee: Ident;
  args: Expr[];
}
export interface TupleExpr extends Node {
  kind: "tuple";
  items: Expr[];
}

// ---- layer attributes ------------------------------------------------------

/**
 * One attribute written after an op name. Positional forms are classified by
 * the checker against the op table:
 *  - `dims`: `3x3`, `7x7/2`, `1x7`, `3x224x224` (stride optional)
 *  - `value`: a bare expression (`64`, `c1`, `classes * 2`)
 *  - `flag`: a bare keyword (`relu`, `same`, `ceil`, `bn`, ...)
 *  - `named`: `key=value` (`pad=1`, `groups=32`, `eps=1e-3`, `alpha 1e-4` is also
 *    accepted for a known key followed by a value: `named` with `spaced: true`)
 */
export type Attr = DimsAttr | ValueAttr | FlagAttr | NamedAttr;

export interface Dims extends Node {
  kind: "dims";
  /** Each dimension is a literal integer (from the `AxBxC` token). */
  values: number[];
}
export interface DimsAttr extends Node {
  kind: "dimsAttr";
  dims: Dims;
  stride: Expr | undefined;
}
export interface ValueAttr extends Node {
  kind: "valueAttr";
  value: Expr;
}
export interface FlagAttr extends Node {
  kind: "flagAttr";
  name: Ident;
}
export interface NamedAttr extends Node {
  kind: "namedAttr";
  key: Ident;
  value: Expr | undefined;
  /** `alpha 1e-4` rather than `alpha=1e-4`. */
  spaced: boolean;
}

// ---- annotations -------------------------------------------------------------

/** `-> 256x28x28`, `-> classes`, `<- 192`, `<- 192x28x28`. */
export interface ShapeAnnotation extends Node {
  kind: "shapeAnnotation";
  direction: "out" | "in";
  /** Either literal dims or a list of expressions (one expr = channels/features). */
  dims: Dims | undefined;
  exprs: Expr[];
}

/** `params ~ 159K`, `params = 6624904`, `macs ~ 1.5G tol 3%`. */
export interface CostAnnotation extends Node {
  kind: "costAnnotation";
  metric: "params" | "macs";
  exact: boolean;
  value: NumberLit | undefined;
  /** Relative tolerance in percent, when written with `tol N%`. */
  tolerancePercent: number | undefined;
  /** The tolerance as written (`3`, `1e300G`): its value may not print back as a literal (Infinity). */
  toleranceText?: string;
}

export type Annotation = ShapeAnnotation | CostAnnotation;

// ---- layer expressions -----------------------------------------------------

export type LayerExpr = OpLayer | BlockCall | SeqLayer | MergeLayer | RepeatLayer | IfLayer;

/** `conv 7x7/2 64 pad=3 relu` */
export interface OpLayer extends Node {
  kind: "op";
  op: Ident;
  attrs: Attr[];
}
/** `Inception(64, 96, 128, 16, 32, 32)` or with named arguments `Aux(classes=10)`. */
export interface BlockCall extends Node {
  kind: "blockCall";
  callee: Ident;
  args: Argument[];
}
export interface Argument extends Node {
  name: Ident | undefined;
  value: Expr | undefined;
}
/** `seq { ... }`: statements applied one after another. */
export interface SeqLayer extends Node {
  kind: "seq";
  body: Statement[];
}
/** `concat { ... }` / `add { ... }` / `mul { ... }`: each statement is a parallel branch. */
export interface MergeLayer extends Node {
  kind: "merge";
  merge: "concat" | "add" | "mul";
  keyword: Span;
  /** Attributes after the keyword, e.g. `add relu`. */
  attrs: Attr[];
  branches: Statement[];
}
/** `repeat n as i { ... }` */
export interface RepeatLayer extends Node {
  kind: "repeat";
  count: Expr | undefined;
  index: Ident | undefined;
  body: Statement[];
}

/**
 * `if cond { ... } else { ... }`. A body is a sequence, like `seq`. When the
 * condition is false and there is no `else`, the statement is skipped: in a
 * sequence its input passes on; in `concat`/`add` the branch is left out.
 */
export interface IfLayer extends Node {
  kind: "if";
  condition: Expr | undefined;
  then: Braced;
  /** Absent without `else`. */
  else: Braced | undefined;
}
/** Statements in braces; the span runs from '{' to '}'. */
export interface Braced extends Node {
  body: Statement[];
}

// ---- statements --------------------------------------------------------------

/**
 * `name = layer from tap weight w -> shape <- shape params ~ N`
 * Every part but the layer is optional. `from` makes the statement read a named
 * layer instead of the previous statement's output; `weight` marks it as an
 * auxiliary (training-only) output with that loss weight.
 */
export interface Statement extends Node {
  kind: "statement";
  name: Ident | undefined;
  layer: LayerExpr | undefined;
  from: Ident | undefined;
  weight: Expr | undefined;
  annotations: Annotation[];
  doc: string | undefined;
}

/** `stem { ... }`, `body { ... }`, `head { ... }` inside a network. */
export interface Section extends Node {
  kind: "section";
  section: "stem" | "body" | "head";
  keyword: Span;
  body: Statement[];
}

export interface InputDecl extends Node {
  kind: "input";
  name: Ident | undefined;
  shape: Dims | undefined;
  exprs: Expr[];
  /** `{ scale 1/255; mean (...); std (...); order rgb; transform_input }` after the shape; absent without braces. */
  preprocess?: PreprocessDecl;
}
/** The braces after an input's shape; entries are read like `train` settings. */
export interface PreprocessDecl extends Node {
  entries: TrainEntry[];
}

/** One line in `defaults { conv relu pad=same; pool ceil }`. */
export interface DefaultEntry extends Node {
  op: Ident;
  attrs: Attr[];
  /** Written `pool: ceil` rather than `pool ceil` (kept by the formatter). */
  colon?: boolean;
}
export interface DefaultsDecl extends Node {
  kind: "defaults";
  entries: DefaultEntry[];
}

/** `train { optimizer sgd momentum=0.9; lr 0.01 decay=0.96 every=8; batch 32; epochs 3 }` */
export interface TrainEntry extends Node {
  key: Ident;
  attrs: Attr[];
}
export interface TrainDecl extends Node {
  kind: "train";
  entries: TrainEntry[];
}

export type NetworkItem = InputDecl | DefaultsDecl | TrainDecl | Section | Statement;

export interface Param extends Node {
  name: Ident;
  default: Expr | undefined;
}

export interface BlockDecl extends Node {
  kind: "block";
  name: Ident | undefined;
  params: Param[];
  /** `block Inception(cin, ...) <- cin { ... }` */
  annotations: Annotation[];
  body: Statement[];
  doc: string | undefined;
}

export interface NetworkDecl extends Node {
  kind: "network";
  name: Ident | undefined;
  params: Param[];
  items: NetworkItem[];
  doc: string | undefined;
}

export interface ImportDecl extends Node {
  kind: "import";
  path: StringLit | undefined;
}

export type TopLevel = ImportDecl | BlockDecl | NetworkDecl;

export interface Comment extends Node {
  text: string;
  doc: boolean;
}

export interface SourceFile {
  kind: "file";
  path: string;
  text: string;
  items: TopLevel[];
  comments: Comment[];
}
