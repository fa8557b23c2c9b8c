// Creates an onnxruntime-node session on the requested execution provider,
// falling back to CPU (with one line saying how to get the provider) when its
// binaries or the device are missing.
import * as ort from "onnxruntime-node";

export type Ep = "cpu" | "cuda" | "webgpu";

const HOW_TO: Record<Exclude<Ep, "cpu">, string> = {
  cuda:
    "netc: CUDA execution provider unavailable (its binaries are not installed or no CUDA 12 GPU/driver was found); " +
    "install them with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node` (or `npm install --onnxruntime-node-install=cuda12`); running on CPU",
  webgpu:
    "netc: WebGPU execution provider unavailable (on Linux it needs a Vulkan driver: libvulkan1 and a GPU ICD, e.g. `apt-get install libvulkan1 mesa-vulkan-drivers`); running on CPU",
};

export interface OpenedSession {
  session: ort.InferenceSession;
  /** The provider actually used. */
  ep: Ep;
}

export async function openSession(model: string, ep: Ep, options: ort.InferenceSession.SessionOptions = {}): Promise<OpenedSession> {
  if (ep !== "cpu") {
    // onnxruntime logs a missing provider library as an error through its
    // process-wide logger (fixed when the first session is created); we say it
    // ourselves in one line, so keep that logger to fatal errors.
    ort.env.logLevel = "fatal";
    try {
      // Fatal-only logging: a missing provider library is expected here, and we say so ourselves.
      const session = await ort.InferenceSession.create(model, { ...options, executionProviders: [ep], logSeverityLevel: 4 });
      return { session, ep };
    } catch {
      process.stderr.write(`${HOW_TO[ep]}\n`);
    }
  }
  const session = await ort.InferenceSession.create(model, { ...options, executionProviders: ["cpu"] });
  return { session, ep: "cpu" };
}
