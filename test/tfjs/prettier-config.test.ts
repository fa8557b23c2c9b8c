// The repository's prettier config must agree with the emitter's options, so that
// `prettier --check generated` (a user's CI, an editor's format-on-save) leaves
// generated code alone.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

it("prettier --check passes on generated/ with the repository's config", async () => {
  const prettier = await import("prettier");
  const files = (readdirSync(join(root, "generated"), { recursive: true }) as string[]).filter((p) => /\.(ts|js)$/.test(p));
  expect(files.length).toBeGreaterThan(0);
  for (const rel of files) {
    const path = join(root, "generated", rel);
    const options = { ...(await prettier.resolveConfig(path)), filepath: path };
    expect(await prettier.check(readFileSync(path, "utf8"), options), `${rel} is not prettier-clean`).toBe(true);
  }
}, 60_000);
