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

/** Whether two places are one: file, offset and length alike (as declKey's text: NaN matches NaN). */
export function sameSite(a: { file: string; span: Span }, b: { file: string; span: Span }): boolean {
  return a.file === b.file && sameNumber(a.span.offset, b.span.offset) && sameNumber(a.span.length, b.span.length);
}

/** Equal as the numbers' text is: NaN matches NaN (and 0 matches -0). */
export const sameNumber = (a: number, b: number) => a === b || (a !== a && b !== b);

/**
 * Finds earlier items equal to a new one. A key string per item (a message,
 * paths and offsets joined) costs more than comparing the few items that share
 * a number (an offset); a bucket that grows past a few items is indexed by a
 * text too, so that many items at one offset stay linear. `same` must imply
 * equal numbers and equal texts.
 */
export class Alike<T> {
  private readonly buckets = new Map<number, T[] | Map<string, T[]>>();
  constructor(
    private readonly num: (t: T) => number,
    private readonly text: (t: T) => string,
    private readonly same: (a: T, b: T) => boolean,
  ) {}

  /** The earlier item equal to `t`; undefined (and `t` recorded) when there is none. */
  find(t: T): T | undefined {
    const n = this.num(t);
    const bucket = this.buckets.get(n);
    if (bucket === undefined) {
      this.buckets.set(n, [t]);
      return undefined;
    }
    if (Array.isArray(bucket)) {
      for (const p of bucket) if (this.same(p, t)) return p;
      if (bucket.length < 8) bucket.push(t);
      else {
        const byText = new Map<string, T[]>();
        for (const p of [...bucket, t]) add(byText, this.text(p), p);
        this.buckets.set(n, byText);
      }
      return undefined;
    }
    const key = this.text(t);
    const list = bucket.get(key);
    if (list) for (const p of list) if (this.same(p, t)) return p;
    add(bucket, key, t);
    return undefined;
  }
}

function add<T>(m: Map<string, T[]>, key: string, t: T): void {
  const list = m.get(key);
  if (list) list.push(t);
  else m.set(key, [t]);
}

/** Keeps one entry per use and declaration: a block called N times resolves its names N times, alike. */
export function dedupeUses(list: Resolution[]): Resolution[] {
  const seen = new Alike<Resolution>((r) => r.span.offset, (r) => declKey(r.decl), (a, b) => sameSite(a, b) && sameSite(a.decl, b.decl));
  return list.filter((r) => seen.find(r) === undefined);
}
