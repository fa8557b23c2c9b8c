// `netc verify` plans the tfjs model once: the runtime converts weights from its
// own layer-name convention and never calls back into the code generator.
import { describe, expect, it, vi } from "vitest";
import { verifyGraph } from "../../src/verify/index.js";
import { convGraph } from "../tfjs/graphs.js";

const calls = vi.hoisted(() => ({ planModel: 0 }));

vi.mock("../../src/emit/tfjs/plan.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/emit/tfjs/plan.js")>();
  return {
    ...real,
    planModel: (...args: Parameters<typeof real.planModel>) => {
      calls.planModel++;
      return real.planModel(...args);
    },
  };
});

describe("verify", () => {
  it("runs planModel once", async () => {
    const r = await verifyGraph(convGraph(), { seed: 1, batch: 1, quiet: true });
    expect(r.maxAbsDiff).toBeLessThan(1e-4 * Math.max(1, r.maxAbsOutput));
    expect(calls.planModel).toBe(1);
  }, 60_000);
});
