// Runs `netc verify --json` in-process and parses what it prints.
import { vi } from "vitest";
import { run } from "../../src/cli/commands/verify.js";

/** Runs the command and returns its exit code and parsed --json output. */
export async function verifyJson(args: { spec: string; weights?: string; seed?: number; batch?: number }) {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  try {
    const { spec, ...rest } = args;
    const code = await run({ seed: 0, batch: 2, json: true, ...rest, specs: [spec] });
    return { code, result: JSON.parse(out) as { maxAbsDiff: number; outputShape: number[]; backend: string; ok: boolean } };
  } finally {
    spy.mockRestore();
  }
}

