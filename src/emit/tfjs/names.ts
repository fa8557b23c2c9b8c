// JS identifiers for generated code. Layer names (the checkpoint convention)
// are the runtime's: src/runtime/layer-names.ts.

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally " +
    "for function if import in instanceof new null return super switch this throw true try typeof var void " +
    "while with yield let static implements interface package private protected public await arguments eval " +
    "tf model inference training"
  ).split(" "),
);

/** Whether `s` is a word generated code cannot take as a name (keywords, and the names model.ts uses). */
export function reservedWord(s: string): boolean {
  return RESERVED.has(s);
}

/** A readable camelCase JS identifier for an IR name: "inception3a/b2/conv1" -> "inception3aB2Conv1". */
export function identifier(name: string, taken: Set<string>): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter((p) => p.length > 0);
  let id = parts.map((p, i) => (i === 0 ? p[0]!.toLowerCase() + p.slice(1) : p[0]!.toUpperCase() + p.slice(1))).join("");
  if (id === "" || /^[0-9]/.test(id)) id = "x" + id;
  if (RESERVED.has(id)) id = id + "Out";
  let out = id;
  for (let i = 2; taken.has(out); i++) out = `${id}${i}`;
  taken.add(out);
  return out;
}
