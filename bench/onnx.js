// ONNX backend benchmark: onnxruntime on netc's googlenet-torchvision.onnx
// against PyTorch's export of the same network (shared/peers), in one process
// with alternating runs, plus the time to emit the model. Run `npm run build`
// first; `node bench/onnx.js` prints the figures, bench/run.js calls benchOnnx().
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as ort from "onnxruntime-node";
import { emitOnnx, writeOnnx } from "../dist/emit/onnx/index.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SPEC = join(root, "specs/googlenet-torchvision.net");
const PEER = resolve(root, "../shared/peers/torchvision-googlenet.onnx");

/** netc's torchvision GoogLeNet, from the spec. */
async function googlenetGraph() {
  const { checkFile } = await import("../dist/check/index.js");
  const r = checkFile(SPEC);
  if (!r.graph) throw new Error(`${SPEC} does not check: ${r.diagnostics[0]?.message}`);
  return { graph: r.graph, source: "specs/googlenet-torchvision.net" };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function timed(session, feeds) {
  const t0 = process.hrtime.bigint();
  await session.run(feeds);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/**
 * @param {{ runs1?: number, runs16?: number, emitRuns?: number, threads?: number }} [opts]
 */
export async function benchOnnx(opts = {}) {
  const { graph, source } = await googlenetGraph();
  const emitRuns = opts.emitRuns ?? 5;

  // Emission time: weights initialised from the seed + protobuf encoding.
  emitOnnx(graph, { seed: 0 }); // warm the JIT
  const emitTimes = [];
  let weights = 0;
  for (let i = 0; i < emitRuns; i++) {
    const t0 = process.hrtime.bigint();
    const out = emitOnnx(graph, { seed: i });
    emitTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    weights = out.model.byteLength;
  }

  const dir = mkdtempSync(join(tmpdir(), "netc-bench-onnx-"));
  const model = join(dir, "googlenet-torchvision.onnx");
  writeOnnx(graph, model, { seed: 0 });

  const threads = opts.threads ?? availableParallelism();
  const options = {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    // Two sessions in one process: spinning pools would steal each other's cores.
    extra: { session: { intra_op: { allow_spinning: "0" }, inter_op: { allow_spinning: "0" } } },
  };
  const result = {
    graphSource: source,
    threads,
    emitMs: median(emitTimes),
    emitBytes: weights,
    params: graph.params,
    latency: {},
  };
  if (!existsSync(PEER)) {
    rmSync(dir, { recursive: true, force: true });
    return { ...result, peer: "missing: ../shared/peers/torchvision-googlenet.onnx" };
  }
  const netc = await ort.InferenceSession.create(model, options);
  const peer = await ort.InferenceSession.create(PEER, options);
  try {
    for (const batch of [1, 16]) {
      const runs = batch === 1 ? (opts.runs1 ?? 30) : (opts.runs16 ?? 20);
      const data = new Float32Array(batch * 3 * 224 * 224);
      for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 1000) / 500 - 1;
      const feedNetc = { [netc.inputNames[0]]: new ort.Tensor("float32", data, [batch, 3, 224, 224]) };
      const feedPeer = { [peer.inputNames[0]]: new ort.Tensor("float32", data, [batch, 3, 224, 224]) };
      for (let i = 0; i < 3; i++) {
        await netc.run(feedNetc);
        await peer.run(feedPeer);
      }
      const a = [];
      const b = [];
      for (let i = 0; i < runs; i++) {
        // Alternate which goes first so neither always runs on a warmer cache.
        if (i % 2 === 0) {
          a.push(await timed(netc, feedNetc));
          b.push(await timed(peer, feedPeer));
        } else {
          b.push(await timed(peer, feedPeer));
          a.push(await timed(netc, feedNetc));
        }
      }
      const netcMs = median(a);
      const peerMs = median(b);
      result.latency[`batch${batch}`] = { runs, netcMs, peerMs, ratio: netcMs / peerMs, netcMsPerImage: netcMs / batch };
    }
  } finally {
    await netc.release();
    await peer.release();
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await benchOnnx();
  console.log(`ONNX: GoogLeNet (torchvision) from ${r.graphSource}, ${r.threads} intra-op threads, spinning off`);
  console.log(`  emit googlenet.onnx (${(r.params / 1e6).toFixed(2)}M params, ${(r.emitBytes / 1e6).toFixed(1)} MB): ${r.emitMs.toFixed(1)} ms (goal < 300)`);
  if (r.peer) console.log(`  peer ${r.peer}`);
  for (const [k, v] of Object.entries(r.latency)) {
    console.log(`  ${k}: netc ${v.netcMs.toFixed(2)} ms, peer ${v.peerMs.toFixed(2)} ms, ratio netc/peer ${v.ratio.toFixed(3)} (goal <= 1.00), median of ${v.runs}`);
  }
}
