// What every name in a spec resolved to, as the checker decided it: the table the
// editor answers definition, references and hover from (it resolves nothing itself).

import type { Span } from "../syntax/ast.js";

/** layer: a named statement; input: the network input; block: a block; param: a block or network parameter;
 *  inputName: a name bound by a block's `<- cin`; index: a repeat index. */
export type DeclKind = "layer" | "input" | "block" | "param" | "inputName" | "index";

export interface Declaration {
  file: string;
  /** The declaring name (or the whole input declaration when it has no name). */
  span: Span;
  name: string;
  kind: DeclKind;
}

/** One use of a name: a `from` tap, a block call's callee, an argument name, a name in an expression. */
export interface Resolution {
  file: string;
  span: Span;
  decl: Declaration;
}

/** A parameter's value in one instance: at a block call (`call` set) or a network parameter's default. */
export interface ParamValue {
  decl: Declaration;
  value: string;
  /** The argument's source text; undefined when the default was used. */
  text: string | undefined;
  /** The call that bound it, and the IR path of that call. */
  call: { file: string; span: Span; path: string } | undefined;
}

export interface Resolutions {
  uses: Resolution[];
  values: ParamValue[];
}

export const declKey = (d: { file: string; span: Span }) => `${d.file}\0${d.span.offset}\0${d.span.length}`;

/** Keeps one entry per use and declaration: a block called N times resolves its names N times, alike. */
export function dedupeUses(list: Resolution[]): Resolution[] {
  const seen = new Map<string, Resolution>();
  for (const r of list) {
    const k = `${declKey(r)}\0${declKey(r.decl)}`;
    if (!seen.has(k)) seen.set(k, r);
  }
  return [...seen.values()];
}
