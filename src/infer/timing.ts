// Latency of a session: a few warm-up runs, then N timed runs; median per batch.
import * as ort from "onnxruntime-node";
import type { Progress } from "./progress.js";

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function timeOnce(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await session.run(feeds);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export async function timeSession(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, runs: number, warmup = 3, progress?: Progress): Promise<number[]> {
  progress?.stage("warm-up", warmup);
  for (let i = 0; i < warmup; i++) {
    await session.run(feeds);
    progress?.tick();
  }
  progress?.stage("timed runs", runs);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    times.push(await timeOnce(session, feeds));
    progress?.tick();
  }
  progress?.stop();
  return times;
}
