// Lines of generated Python as black (23, line length 88) leaves them, for the
// few statement shapes model.py has: a statement that ends in a bracketed list
// (a call, a `def`, a list) and is too long is split at that last bracket, its
// contents on one indented line when they fit, else one item a line with a
// trailing comma; a list literal split this way always goes one item a line
// (black's rule for atoms). An assignment whose right side ends in no bracket is
// wrapped in parentheses. Comments are never trailing (the emitter writes them
// on lines of their own), so they never push a line over.

const LIMIT = 88;

/** The index of the bracket matching the closing one at `close`, or -1. */
function openingOf(text: string, close: number): number {
  let depth = 0;
  let quote: string | undefined;
  // Walk backwards; strings in generated code hold no brackets that matter except inside quotes, skipped here.
  for (let i = close; i >= 0; i--) {
    const c = text[i]!;
    if (quote) {
      if (c === quote && text[i - 1] !== "\\") quote = undefined;
      continue;
    }
    if (c === '"') quote = c;
    else if (c === ")" || c === "]" || c === "}") depth++;
    else if (c === "(" || c === "[" || c === "{") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** The indices in `text` outside strings and brackets where `at` holds. */
function topLevel(text: string, at: (c: string, i: number) => boolean): number[] {
  const out: number[] = [];
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"') quote = c;
    else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (depth === 0 && at(c, i)) out.push(i);
  }
  return out;
}

/** Top-level comma-separated items of a bracket's contents. */
function items(body: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const i of topLevel(body, (c) => c === ",")) {
    out.push(body.slice(start, i).trim());
    start = i + 1;
  }
  const last = body.slice(start).trim();
  if (last !== "") out.push(last);
  return out;
}

/** Splits before the top-level operators of an arithmetic expression (black's delimiter split), or undefined. */
function operands(text: string): string[] | undefined {
  const at = topLevel(text, (c, i) => (c === "+" || c === "*" || c === "-" || c === "/") && text[i - 1] === " " && text[i + 1] === " ");
  if (at.length === 0) return undefined;
  return [0, ...at].map((start, k) => text.slice(start, at[k]).trim());
}

/** The lines of a bracket's contents that do not fit on one line. */
function explode(indent: number, body: string, list: boolean): string[] {
  const parts = items(body);
  if (parts.length > 1 || list || /,\s*$/.test(body)) return parts.flatMap((p) => pyLines(indent, `${p},`));
  const ops = operands(body);
  if (ops) return ops.map((o) => " ".repeat(indent) + o);
  return pyLines(indent, body);
}

/** One logical line (without indentation) at `indent` spaces, as black prints it. */
export function pyLines(indent: number, text: string): string[] {
  const pad = " ".repeat(indent);
  if (indent + text.length <= LIMIT || text.startsWith("#")) return [pad + text];
  const eq = /^([A-Za-z_][A-Za-z0-9_.]* = )(.*)$/.exec(text);
  const wrapped = (): string[] => {
    const rhs = eq![2]!;
    if (indent + 4 + rhs.length <= LIMIT) return [pad + eq![1]! + "(", " ".repeat(indent + 4) + rhs, pad + ")"];
    const ops = operands(rhs);
    return [pad + eq![1]! + "(", ...(ops ? ops.map((o) => " ".repeat(indent + 4) + o) : pyLines(indent + 4, rhs)), pad + ")"];
  };
  const m = /^(.*?)([)\]}])([^()[\]{}"]*)$/.exec(text);
  const close = m ? m[1]!.length : -1;
  const open = close >= 0 ? openingOf(text, close) : -1;
  if (open <= 0) return eq ? wrapped() : [pad + text];
  const head = text.slice(0, open + 1);
  const body = text.slice(open + 1, close);
  const tail = text.slice(close);
  // The split would leave the head too long: an assignment's right side goes in parentheses instead.
  if (eq && (indent + head.length > LIMIT || operands(eq[2]!))) return wrapped();
  const isList = text[open] === "[" && !/[A-Za-z0-9_)\]]$/.test(text.slice(0, open));
  if (body.trim() === "") return [pad + text];
  if (!isList && indent + 4 + body.length <= LIMIT) return [pad + head, " ".repeat(indent + 4) + body, pad + tail];
  return [pad + head, ...explode(indent + 4, body, isList), pad + tail];
}
