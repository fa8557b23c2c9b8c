// Language server benchmark over stdio, as an editor sees it: from didChange to
// the publishDiagnostics for that version of specs/googlenet.net, and hover
// latency on inception3a (document already checked), plus hover right after a
// change (includes the check). Medians over `runs` (default 50), after warm-up.
// Run `npm run build` first; `node bench/lsp.js` prints the figures, bench/run.js
// calls benchLsp().
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SPEC = join(root, "specs/googlenet.net");

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: +q(0.5).toFixed(2), p90: +q(0.9).toFixed(2), min: +s[0].toFixed(2), runs: s.length };
};

export async function benchLsp(opts = {}) {
  const runs = opts.runs ?? 50;
  const warmup = opts.warmup ?? 20;
  const child = spawn(process.execPath, [join(root, "bin/netc.js"), "lsp", "--stdio"], { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiting = new Map();
  conn.onNotification("textDocument/publishDiagnostics", (p) => {
    const w = waiting.get(p.version);
    if (p.uri === uri && w) (waiting.delete(p.version), w(p));
  });
  conn.listen();
  const uri = pathToFileURL(SPEC).href;
  const text = readFileSync(SPEC, "utf8");
  const lines = text.split("\n");
  const line = lines.findIndex((l) => l.includes("inception3a ="));
  const hoverParams = { textDocument: { uri }, position: { line, character: 4 } };
  try {
    await conn.sendRequest("initialize", { processId: process.pid, rootUri: pathToFileURL(root).href, capabilities: {} });
    await conn.sendNotification("initialized", {});
    let version = 1;
    const published = (v) => new Promise((r) => waiting.set(v, r));
    let got = published(version);
    await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "net", version, text } });
    await got;

    // Type a digit into a comment and delete it again: every version checks cleanly.
    const at = { line: 0, character: 2 };
    const edit = (i) =>
      i % 2 === 0 ? { range: { start: at, end: at }, text: "x" } : { range: { start: at, end: { line: 0, character: 3 } }, text: "" };
    const change = async (i) => {
      version++;
      const wait = published(version);
      const t0 = performance.now();
      await conn.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [edit(i)] });
      await wait;
      return performance.now() - t0;
    };
    const hover = async () => {
      const t0 = performance.now();
      const h = await conn.sendRequest("textDocument/hover", hoverParams);
      if (!h?.contents?.value?.includes("256x28x28")) throw new Error("hover did not show the shape");
      return performance.now() - t0;
    };

    for (let i = 0; i < warmup; i++) (await change(i), await hover());
    const diag = [];
    for (let i = 0; i < runs; i++) diag.push(await change(i));
    const hov = [];
    for (let i = 0; i < runs; i++) hov.push(await hover());
    // Hover sent together with an edit: it includes the check of the new version.
    const afterEdit = [];
    for (let i = 0; i < runs; i++) {
      version++;
      const wait = published(version);
      const t0 = performance.now();
      void conn.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [edit(i)] });
      await conn.sendRequest("textDocument/hover", hoverParams);
      afterEdit.push(performance.now() - t0);
      await wait;
    }
    return {
      spec: "specs/googlenet.net",
      didChangeToDiagnosticsMs: stats(diag),
      hoverMs: stats(hov),
      hoverAfterEditMs: stats(afterEdit),
      goalMs: { diagnostics: 10, hover: 5 },
    };
  } finally {
    try {
      await Promise.race([conn.sendRequest("shutdown"), new Promise((r) => setTimeout(r, 1000))]);
      await conn.sendNotification("exit");
    } catch {
      /* already gone */
    }
    conn.dispose();
    child.kill();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(JSON.stringify(await benchLsp(), null, 2));
}
