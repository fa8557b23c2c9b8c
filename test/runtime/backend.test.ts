// Backend choice: tfjs-node when importable, else tfjs + WASM with exactly one notice.
import { afterEach, describe, expect, it, vi } from "vitest";
import { FALLBACK_NOTICE, loadTfWith, loadedFrom, resetForTests, type Importers } from "../../src/runtime/backend.js";

const missingNode = (): Importers => ({
  tfjsNode: vi.fn(async () => {
    throw new Error("Cannot find package '@tensorflow/tfjs-node'");
  }),
  tfjs: vi.fn(() => import("@tensorflow/tfjs")),
  wasm: vi.fn(() => import("@tensorflow/tfjs-backend-wasm")),
});

function captureStderr() {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  });
  return { lines, restore: () => spy.mockRestore() };
}

afterEach(() => resetForTests());

describe("loadTf", () => {
  it("falls back to WASM with one line on stderr when tfjs-node is missing", async () => {
    const err = captureStderr();
    const importers = missingNode();
    try {
      const tf = await loadTfWith(importers);
      await loadTfWith(importers);
      expect(tf.getBackend()).toBe("wasm");
      expect(loadedFrom()).toBe("tfjs");
      expect(importers.tfjsNode).toHaveBeenCalledTimes(1);
      const ours = err.lines.filter((l) => l.startsWith("netc:"));
      expect(ours).toEqual([FALLBACK_NOTICE + "\n"]);
      expect(FALLBACK_NOTICE).toContain("npm install @tensorflow/tfjs-node");
      // The wasm gradient kernels and custom layers come with loading.
      expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
      expect(tf.serialization.SerializationMap.getMap().classNameMap["NetcPool2D"]).toBeDefined();
    } finally {
      err.restore();
    }
  });

  it("backend 'cpu' forces the pure-JS backend without importing tfjs-node or printing", async () => {
    const err = captureStderr();
    const importers = missingNode();
    try {
      const tf = await loadTfWith(importers, { backend: "cpu" });
      expect(tf.getBackend()).toBe("cpu");
      expect(importers.tfjsNode).not.toHaveBeenCalled();
      expect(err.lines.filter((l) => l.startsWith("netc:"))).toEqual([]);
    } finally {
      err.restore();
    }
  });

  it("uses tfjs-node when it can be imported, and never imports tfjs or the WASM backend", async () => {
    const real = await import("@tensorflow/tfjs");
    // A stand-in for tfjs-node: the tfjs namespace plus a "tensorflow" backend.
    const fakeNode = new Proxy(real, {
      get(target, key) {
        if (key === "getBackend") return () => "tensorflow";
        if (key === "ready") return async () => {};
        return Reflect.get(target, key);
      },
    });
    const importers: Importers = {
      tfjsNode: vi.fn(async () => fakeNode),
      tfjs: vi.fn(async () => {
        throw new Error("must not import @tensorflow/tfjs next to tfjs-node");
      }),
      wasm: vi.fn(async () => {
        throw new Error("must not import the WASM backend next to tfjs-node");
      }),
    };
    const err = captureStderr();
    try {
      const tf = await loadTfWith(importers);
      expect(tf).toBe(fakeNode);
      expect(loadedFrom()).toBe("tfjs-node");
      expect(err.lines.filter((l) => l.startsWith("netc:"))).toEqual([]);
    } finally {
      err.restore();
    }
  });

  it("quiet suppresses the notice", async () => {
    const err = captureStderr();
    try {
      await loadTfWith(missingNode(), { quiet: true });
      expect(err.lines.filter((l) => l.startsWith("netc:"))).toEqual([]);
    } finally {
      err.restore();
    }
  });
});
