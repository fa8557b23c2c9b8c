// generated/ must be what `npm run generate` writes today (CI fails when stale).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { generatedFiles } from "../../src/cli/generate.js";

const root = join(import.meta.dirname, "..", "..");

it("generated/ is up to date (run `npm run build && npm run generate`)", async () => {
  const want = await generatedFiles(root);
  for (const [path, text] of want) {
    expect(existsSync(join(root, path)), `${path} is missing`).toBe(true);
    expect(readFileSync(join(root, path), "utf8"), `${path} is stale`).toBe(text);
  }
  // Every file under generated/ must be one the generator writes.
  const present = (readdirSync(join(root, "generated"), { recursive: true }) as string[])
    .map((p) => `generated/${p}`)
    .filter((p) => /\.(ts|js)$/.test(p));
  expect(present.filter((p) => !want.has(p)), "files in generated/ without a spec").toEqual([]);
}, 60_000);
