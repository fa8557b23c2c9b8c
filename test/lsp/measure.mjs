// Measures the language server under load (not a test): a burst of 500 didChange
// to googlenet.net (time to the last version's diagnostics, publishes seen), and
// time to diagnostics and peak RSS for a generated document of a given size.
// Usage: node test/lsp/measure.mjs [path/to/bin/netc.js] [megabytes ...]
// (run `npm run build` first; defaults: this checkout, 1 and 7.9 MB).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = process.argv[2] ?? join(root, "bin/netc.js");
const sizes = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [1, 7.9];

function server() {
  const child = spawn(process.execPath, [bin, "lsp", "--stdio"], { cwd: root, stdio: ["pipe", "pipe", "ignore"] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiters = [];
  let publishes = 0;
  conn.onNotification("textDocument/publishDiagnostics", (p) => {
    publishes++;
    for (const w of [...waiters]) if (w.uri === p.uri && w.version === p.version) (waiters.splice(waiters.indexOf(w), 1), w.resolve(p));
  });
  conn.listen();
  const published = (uri, version) => new Promise((r) => waiters.push({ uri, version, resolve: r }));
  const hwm = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))[1]) / 1024;
  return { child, conn, published, hwm, publishes: () => publishes };
}

async function start() {
  const s = server();
  await s.conn.sendRequest("initialize", { processId: process.pid, rootUri: pathToFileURL(root).href, capabilities: {} });
  await s.conn.sendNotification("initialized", {});
  return s;
}

async function stop(s) {
  await Promise.race([s.conn.sendRequest("shutdown"), new Promise((r) => setTimeout(r, 5000))]);
  s.child.kill();
}

async function burst() {
  const s = await start();
  const spec = join(root, "specs/googlenet.net");
  const uri = pathToFileURL(spec).href;
  const text = readFileSync(spec, "utf8");
  let got = s.published(uri, 1);
  await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "net", version: 1, text } });
  await got;
  const before = s.publishes();
  const at = { line: 0, character: 2 };
  got = s.published(uri, 501);
  const t0 = performance.now();
  for (let v = 2; v <= 501; v++) {
    void s.conn.sendNotification("textDocument/didChange", { textDocument: { uri, version: v }, contentChanges: [{ range: { start: at, end: at }, text: "x" }] });
  }
  await got;
  const ms = performance.now() - t0;
  // Late publishes of older versions would still be counted: wait a moment.
  await new Promise((r) => setTimeout(r, 500));
  console.log(`burst of 500 didChange: ${ms.toFixed(0)} ms to the last version's diagnostics, ${s.publishes() - before} publishes`);
  await stop(s);
}

async function huge(mb) {
  const { generatedSpec } = await import(pathToFileURL(join(root, "bench/check.js")).href);
  let factor = 1;
  while (generatedSpec(factor).length < mb * 1e6) factor *= 2;
  let lo = factor / 2;
  let hi = factor;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (generatedSpec(mid).length < mb * 1e6) lo = mid;
    else hi = mid;
  }
  const text = generatedSpec(hi);
  const s = await start();
  const uri = pathToFileURL(join(root, "specs/_measure_huge.net")).href;
  const idle = s.hwm();
  const got = s.published(uri, 1);
  const t0 = performance.now();
  await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "net", version: 1, text } });
  const p = await got;
  const ms = performance.now() - t0;
  console.log(
    `${(text.length / 1e6).toFixed(1)} MB document: ${ms.toFixed(0)} ms to diagnostics (${p.diagnostics.length}: ${p.diagnostics[0]?.code ?? "none"}), peak RSS ${s.hwm().toFixed(0)} MB (${idle.toFixed(0)} MB before)`,
  );
  await stop(s);
}

await burst();
for (const mb of sizes) await huge(mb);
