// Picks the TensorFlow.js flavour netc's generated code runs on.
//
// - @tensorflow/tfjs-node (native libtensorflow) when it can be imported: the normal case.
// - Otherwise @tensorflow/tfjs on the WebAssembly backend, with one line on stderr.
//   tfjs-node's install downloads libtensorflow, so it is an optional dependency and may
//   be missing offline.
// - backend "cpu" forces the pure-JS backend (benchmarks, tests); "wasm" forces WASM.
//
// Only one tfjs package is ever imported per process: tfjs-node re-exports
// @tensorflow/tfjs itself, and importing both could give two copies of tfjs-core with
// separate kernel and class registries. The custom layers are therefore defined against
// the namespace returned here (see layers/define.ts), never imported statically.
//
// WASM threads: tfjs-backend-wasm disables its multithreaded binary under Node
// (WASM_HAS_MULTITHREAD_SUPPORT is hard-wired false there, tfjs issue #3830: the pthread
// workers are created from Blob URLs, which Node's worker_threads cannot load). The SIMD
// binary is the fastest one that works in Node, and tfjs picks it automatically when
// WebAssembly SIMD validates (Node >= 16).

import { createRequire } from "node:module";
import path from "node:path";
import type * as TfNamespace from "@tensorflow/tfjs";
import { registerReduceGradients } from "./reduce-grads.js";
import { registerWasmCopies } from "./wasm-copies.js";
import { registerWasmElementwise } from "./wasm-elementwise.js";
import { registerWasmGradKernels } from "./wasm-grads.js";
import { registerWasmPadFix } from "./wasm-pads.js";
import { registerWasmPoolGrads } from "./wasm-pool-grads.js";
import { registerWasmReductions } from "./wasm-reduce.js";
import { defineLayers } from "./layers/define.js";
import { defineGroupNorm } from "./layers/group-norm.js";
import { defineElementwiseLayers } from "./layers/elementwise.js";
import { defineChannelLayers } from "./layers/channels.js";

export type Tf = typeof TfNamespace;
export type BackendChoice = "auto" | "wasm" | "cpu";

export interface LoadTfOptions {
  /** Suppress the one-line notice printed when falling back to WebAssembly. */
  quiet?: boolean;
  /** "auto" (default): tfjs-node if installed, else WASM. "wasm"/"cpu" force that backend. */
  backend?: BackendChoice;
}

export const FALLBACK_NOTICE =
  "netc: @tensorflow/tfjs-node is not installed; using the WebAssembly backend " +
  "(npm install @tensorflow/tfjs-node for native speed)";

/** How packages are imported; replaceable in tests to simulate a missing tfjs-node. */
export interface Importers {
  tfjsNode: () => Promise<unknown>;
  tfjs: () => Promise<unknown>;
  wasm: () => Promise<unknown>;
}

// Variables in the specifiers keep TypeScript from resolving tfjs-node, which is
// optional and usually absent at build time.
const TFJS_NODE = "@tensorflow/tfjs-node";
const defaultImporters: Importers = {
  tfjsNode: () => import(TFJS_NODE),
  tfjs: () => import("@tensorflow/tfjs"),
  wasm: () => import("@tensorflow/tfjs-backend-wasm"),
};

let loaded: Promise<Tf> | undefined;
let loadedTf: Tf | undefined;
let loadedPackage: "tfjs-node" | "tfjs" | undefined;

/**
 * Loads TensorFlow.js once per process and returns its namespace, with netc's custom
 * layers and WASM gradient kernels registered. Later calls return the same namespace;
 * a different `backend` on a later call switches the active backend.
 */
export async function loadTf(opts: LoadTfOptions = {}): Promise<Tf> {
  return loadTfWith(defaultImporters, opts);
}

/** loadTf with injectable importers (tests). */
export async function loadTfWith(importers: Importers, opts: LoadTfOptions = {}): Promise<Tf> {
  const choice = opts.backend ?? "auto";
  if (!loaded) {
    loaded = firstLoad(importers, choice, opts.quiet ?? false);
    loaded.catch(() => (loaded = undefined));
  }
  const tf = await loaded;
  await selectBackend(tf, importers, choice, opts.quiet ?? false);
  return tf;
}

/** The namespace loadTf returned, or undefined before the first loadTf. */
export function currentTf(): Tf | undefined {
  return loadedTf;
}

/** Which package the namespace came from ("tfjs-node" or "tfjs"); undefined before loadTf. */
export function loadedFrom(): "tfjs-node" | "tfjs" | undefined {
  return loadedPackage;
}

/** Forget the loaded namespace (tests only: the modules themselves stay cached by Node). */
export function resetForTests(): void {
  loaded = undefined;
  loadedTf = undefined;
  loadedPackage = undefined;
  noticePrinted = false;
}

async function firstLoad(importers: Importers, choice: BackendChoice, quiet: boolean): Promise<Tf> {
  let tf: Tf | undefined;
  if (choice === "auto") {
    try {
      tf = namespaceOf(await importers.tfjsNode());
      loadedPackage = "tfjs-node";
    } catch {
      tf = undefined;
    }
  }
  if (!tf) {
    tf = namespaceOf(await importers.tfjs());
    loadedPackage = "tfjs";
  }
  defineLayers(tf);
  defineGroupNorm(tf);
  defineElementwiseLayers(tf);
  defineChannelLayers(tf);
  registerReduceGradients(tf);
  loadedTf = tf;
  return tf;
}

async function selectBackend(
  tf: Tf,
  importers: Importers,
  choice: BackendChoice,
  quiet: boolean,
): Promise<void> {
  let want: string;
  if (choice === "cpu") want = "cpu";
  else if (choice === "wasm" || loadedPackage === "tfjs") want = "wasm";
  else want = "tensorflow";
  if (want === "wasm") await ensureWasm(tf, importers);
  if (tf.getBackend() !== want) {
    if (!(await tf.setBackend(want))) throw new Error(`netc: could not initialise the tfjs '${want}' backend`);
  }
  await tf.ready();
  if (want === "wasm" && choice === "auto" && !quiet && !noticePrinted) {
    noticePrinted = true;
    process.stderr.write(FALLBACK_NOTICE + "\n");
  }
}

let noticePrinted = false;
let wasmRegistered = false;

async function ensureWasm(tf: Tf, importers: Importers): Promise<void> {
  if (wasmRegistered) return;
  const wasm = (await importers.wasm()) as { setWasmPaths?: (p: string, usePlatformFetch?: boolean) => void };
  const setWasmPaths = wasm.setWasmPaths ?? (wasm as { default?: typeof wasm }).default?.setWasmPaths;
  if (setWasmPaths) {
    // The .wasm binaries sit next to the package's main file; give tfjs the folder on
    // disk so it reads them with fs rather than trying to fetch a URL.
    const main = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
    setWasmPaths(path.dirname(main) + path.sep);
  }
  registerWasmPadFix(tf);
  registerWasmGradKernels(tf);
  // Faster replacements for kernels wasm has but runs slowly on a CNN's shapes.
  registerWasmPoolGrads(tf);
  registerWasmCopies(tf);
  registerWasmReductions(tf);
  registerWasmElementwise(tf);
  wasmRegistered = true;
}

/** Dynamic import of a CommonJS package gives { default, ...named }; tfjs is CJS in Node. */
function namespaceOf(mod: unknown): Tf {
  const m = mod as Record<string, unknown>;
  if (typeof m.tensor === "function") return m as unknown as Tf;
  const d = m.default as Record<string, unknown> | undefined;
  if (d && typeof d.tensor === "function") return d as unknown as Tf;
  throw new Error("netc: the imported module is not a TensorFlow.js namespace");
}
