// Naming scopes: path prefixes ("inception4a/b2"), automatic names for unnamed
// statements (conv1, conv2, ...), and the named statements visible to `from`.

import type { Statement } from "../syntax/ast.js";
import type { Declaration } from "./resolutions.js";

export class Scope {
  /** Named statements declared in this scope: name -> output node id. */
  readonly names = new Map<string, number>();
  /** Where each name was declared; a statement that failed has a declaration but no node. */
  readonly decls = new Map<string, Declaration>();
  private readonly counters = new Map<string, number>();
  /**
   * Names no automatic name may take: the reserved ones and, once `exact`, every
   * automatic name given. Until a kind ending in a digit comes, automatic names
   * cannot meet one another (`conv12` is only the 12th conv), so only the reserved
   * names are kept; the given ones are added when such a kind (`b1`: `b11`, the
   * 11th b) first comes. Either way, the same names come out.
   */
  private readonly taken: Set<string>;
  private exact = false;

  constructor(
    readonly prefix: string,
    private readonly parent: Scope | undefined,
    reserved: string[],
    /** The prefix of the enclosing scope and this scope's own name in it. */
    private readonly base = "",
    private readonly leafName = prefix,
  ) {
    this.taken = new Set(reserved);
  }

  path(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  /** Names written by the user are reserved before any automatic name is chosen. */
  reserve(body: Statement[]): void {
    for (const st of body) if (st.name) this.taken.add(st.name.name);
  }

  autoName(kind: string): string {
    if (!this.exact && endsInDigit(kind)) {
      // Every automatic name given so far: numbers 1 to the counter of each kind (skipped ones were taken anyway).
      for (const [k, count] of this.counters) for (let i = 1; i <= count; i++) this.taken.add(`${k}${i}`);
      this.exact = true;
    }
    for (;;) {
      const n = (this.counters.get(kind) ?? 0) + 1;
      this.counters.set(kind, n);
      const name = `${kind}${n}`;
      if (!this.exact) {
        if (!this.taken.has(name)) return name;
        continue;
      }
      // One lookup: the set grows exactly when the name was free.
      const before = this.taken.size;
      if (this.taken.add(name).size > before) return name;
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
    return this.names.get(name) ?? this.parent?.lookup(name);
  }

  /** The scope that declares a name, as lookup() finds it, with its declaration. */
  resolve(name: string): { id: number | undefined; decl: Declaration | undefined } | undefined {
    if (this.names.has(name) || this.decls.has(name)) return { id: this.names.get(name), decl: this.decls.get(name) };
    return this.parent?.resolve(name);
  }

  visibleNames(): string[] {
    return [...this.names.keys(), ...(this.parent?.visibleNames() ?? [])];
  }

  /** Records a named statement where `from` can see it: sections publish to the network. */
  declare(name: string, id: number | undefined, decl?: Declaration): void {
    if (id !== undefined) this.names.set(name, id);
    if (decl) this.decls.set(name, decl);
    this.publishTo?.declare(name, id, decl);
  }
}

function endsInDigit(s: string): boolean {
  const c = s.charCodeAt(s.length - 1);
  return c >= 48 && c <= 57;
}
