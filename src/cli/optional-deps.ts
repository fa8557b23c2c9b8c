// onnxruntime-node is an optional dependency: its install step downloads the
// CUDA provider on Linux x64, and where that fails (offline, no access to
// nuget.org) npm leaves the package out rather than failing `npm install netc`.
// The commands that run ONNX models check for it first and say how to add it.

import { createRequire } from "node:module";

/** A line to print when onnxruntime-node cannot be loaded; undefined when it can. */
export function missingOnnxRuntime(): string | undefined {
  try {
    // require.resolve: import.meta.resolve needs Node 20.6, netc supports 20.0.
    createRequire(import.meta.url).resolve("onnxruntime-node");
    return undefined;
  } catch {
    return (
      "netc: onnxruntime-node is not installed (an optional dependency: npm leaves it out when its install step cannot download the CUDA provider).\n" +
      "Install its CPU build with: ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node\n"
    );
  }
}
