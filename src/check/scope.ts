// Naming scopes: path prefixes ("inception4a/b2"), automatic names for unnamed
// statements (conv1, conv2, ...), and the named statements visible to `from`.
// A spec makes a scope per body, branch and nesting level (hundreds of thousands
// in a large one), most of which never name anything: their maps and sets are
// made when first written.

import type { Statement } from "../syntax/ast.js";
import type { Declaration } from "./resolutions.js";

export class Scope {
  /** Named statements declared in this scope: name -> output node id. */
  private names: Map<string, number> | undefined;
  /** Where each name was declared; a statement that failed has a declaration but no node. */
  private decls: Map<string, Declaration> | undefined;
  private counters: Map<string, number> | undefined;
  /**
   * Names no automatic name may take: the reserved ones and, once `exact`, every
   * automatic name given. Until a kind ending in a digit comes, automatic names
   * cannot meet one another (`conv12` is only the 12th conv), so only the reserved
   * names are kept; the given ones are added when such a kind (`b1`: `b11`, the
   * 11th b) first comes. Either way, the same names come out.
   */
  private taken: Set<string> | undefined;
  private exact = false;

  constructor(
    readonly prefix: string,
    private readonly parent: Scope | undefined,
    reserved: string[],
    /** The prefix of the enclosing scope and this scope's own name in it. */
    private readonly base = "",
    private readonly leafName = prefix,
  ) {
    if (reserved.length > 0) this.taken = new Set(reserved);
  }

  path(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  /** Names written by the user are reserved before any automatic name is chosen. */
  reserve(body: Statement[]): void {
    for (const st of body) if (st.name) (this.taken ??= new Set()).add(st.name.name);
  }

  autoName(kind: string): string {
    const counters = (this.counters ??= new Map());
    if (!this.exact && endsInDigit(kind)) {
      // Every automatic name given so far: numbers 1 to the counter of each kind (skipped ones were taken anyway).
      const taken = (this.taken ??= new Set());
      for (const [k, count] of counters) for (let i = 1; i <= count; i++) taken.add(`${k}${i}`);
      this.exact = true;
    }
    for (;;) {
      const n = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, n);
      const name = `${kind}${n}`;
      if (!this.exact) {
        if (!this.taken?.has(name)) return name;
        continue;
      }
      // One lookup: the set grows exactly when the name was free.
      const taken = this.taken!;
      const before = taken.size;
      if (taken.add(name).size > before) return name;
    }
  }

  child(prefix: string): Scope {
    const leaf = this.prefix && prefix.startsWith(`${this.prefix}/`) ? prefix.slice(this.prefix.length + 1) : prefix;
    return new Scope(prefix, this, [], this.prefix, leaf);
  }

  /** A section (stem, head) shares the network's names but has its own prefix. */
  section(name: string): Scope {
    const s = new Scope(name, this, []);
    s.publishTo = this;
    return s;
  }
  private publishTo: Scope | undefined;

  /** For a transparent single statement: elaborated as `leaf()` in the enclosing prefix. */
  parentScope(): Scope {
    return new Scope(this.base, this, [], "", this.base);
  }

  leaf(): string {
    return this.leafName;
  }

  lookup(name: string): number | undefined {
    return this.names?.get(name) ?? this.parent?.lookup(name);
  }

  /** The scope that declares a name, as lookup() finds it, with its declaration. */
  resolve(name: string): { id: number | undefined; decl: Declaration | undefined } | undefined {
    if (this.names?.has(name) || this.decls?.has(name)) return { id: this.names?.get(name), decl: this.decls?.get(name) };
    return this.parent?.resolve(name);
  }

  visibleNames(): string[] {
    return [...(this.names?.keys() ?? []), ...(this.parent?.visibleNames() ?? [])];
  }

  /** Records a named statement where `from` can see it: sections publish to the network. */
  declare(name: string, id: number | undefined, decl?: Declaration): void {
    this.bind(name, id, decl);
    this.publishTo?.declare(name, id, decl);
  }

  /** Records a name in this scope only (the network's input). */
  bind(name: string, id: number | undefined, decl?: Declaration): void {
    if (id !== undefined) (this.names ??= new Map()).set(name, id);
    if (decl) (this.decls ??= new Map()).set(name, decl);
  }
}

function endsInDigit(s: string): boolean {
  const c = s.charCodeAt(s.length - 1);
  return c >= 48 && c <= 57;
}
