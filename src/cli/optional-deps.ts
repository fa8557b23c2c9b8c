// onnxruntime-node is an optional dependency: its install step downloads the
// CUDA provider on Linux x64, and where that fails (offline, no access to
// nuget.org) npm leaves the package out rather than failing `npm install netc`.
// The commands that run ONNX models check for it first and say how to add it.

/** A line to print when onnxruntime-node cannot be loaded; undefined when it can. */
export function missingOnnxRuntime(): string | undefined {
  try {
    import.meta.resolve("onnxruntime-node");
    return undefined;
  } catch {
    return (
      "netc: onnxruntime-node is not installed (an optional dependency: npm leaves it out when its install step cannot download the CUDA provider).\n" +
      "Install its CPU build with: ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node\n"
    );
  }
}
