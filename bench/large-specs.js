// Generators of large specs (2 MB, 8 MiB) of several shapes, for the scale
// benchmark (bench/scale.js) and for profiling. Deterministic: the same kind
// and size give the same text.

const FILLERS = {
  /** Many small networks, each a complete classifier. */
  networks: (i) => `/// Net ${i}\nnetwork N${i}(classes = 10) {\n  input image 3x32x32\n  defaults { conv relu pad=same }\n  c1 = conv 3x3 16 -> 16x32x32\n  maxpool 2x2/2\n  conv 3x3 32 bn\n  avgpool global\n  flatten\n  fc = dense classes -> 10\n}\n`,
  /** One network, very many statements (the elaborator stops at 10,000 layers). */
  statements: (i) => `  l${i} = conv 1x1 8 relu -> 8x8x8 // layer ${i}\n`,
  /** Many blocks, each called once by one network at the end. */
  blocks: (i) => `/// Block ${i}\nblock B${i}(c, k = 3) <- cin {\n  add relu {\n    seq { conv 3x3 c pad=1 bn relu; conv 3x3 c pad=1 bn }\n    if cin != c { conv 1x1 c } else { identity }\n  }\n}\n`,
  /** Seq nesting 16 deep, many times. */
  nesting: (i) => `  n${i} = ${"seq { ".repeat(16)}conv 1x1 8${" }".repeat(16)}\n`,
  /** Long expressions (600 operators a line). */
  expressions: (i) => `  e${i} = conv 1x1 (${Array.from({ length: 600 }, (_, k) => `${(i + k) % 7}`).join(" + ")} - ${600 * 3 - 8})\n`,
  /** Every line an error: unknown ops, unknown names, bad attributes, shape mismatches, syntax errors. */
  errors: (i) =>
    [
      `  convv 3x3 8\n`,
      `  conv 3x3 8 frob=1\n`,
      `  x${i} = dense 10 from nowhere${i}\n`,
      `  conv 3x3 8 -> 9x9x9\n`,
      `  conv 3x3 (1 +) 8\n`,
      `  maxpool 9x9/0\n`,
    ][i % 6],
};

const HEADS = {
  networks: () => "",
  statements: () => "network Long {\n  input 8x8x8\n",
  blocks: () => "",
  nesting: () => "network Nested {\n  input 8x8x8\n",
  expressions: () => "network Exprs {\n  input 8x8x8\n",
  errors: () => "network Broken {\n  input 8x8x8\n",
};
const TAILS = {
  networks: () => "",
  statements: () => "}\n",
  blocks: (n) => `network UsesBlocks {\n  input 8x8x8\n${Array.from({ length: Math.min(n, 500) }, (_, i) => `  b${i} = B${i}(8)\n`).join("")}}\n`,
  nesting: () => "}\n",
  expressions: () => "}\n",
  errors: () => "}\n",
};

export const KINDS = Object.keys(FILLERS);

/** A spec of about `bytes` bytes (UTF-8; all generated text is ASCII). */
export function largeSpec(kind, bytes) {
  const fill = FILLERS[kind];
  if (!fill) throw new Error(`unknown kind ${kind}; kinds: ${KINDS.join(", ")}`);
  const parts = [HEADS[kind]()];
  let size = parts[0].length;
  let n = 0;
  // Leave room for the tail (at most ~12 KB).
  while (size < bytes - 16 * 1024) {
    const s = fill(n++);
    parts.push(s);
    size += s.length;
  }
  parts.push(TAILS[kind](n));
  return parts.join("");
}
