// A test client for `netc lsp`: spawns the built server (run `npm run build`
// first) and talks LSP over stdio with vscode-jsonrpc, as an editor would.

import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const specPath = (rel: string) => resolve(root, rel);
export const uriOf = (rel: string) => pathToFileURL(specPath(rel)).href;
export const textOf = (rel: string) => readFileSync(specPath(rel), "utf8");

export interface LspDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: number;
  code: string;
  message: string;
  relatedInformation?: { location: { uri: string }; message: string }[];
}

export class Client {
  readonly child: ChildProcess;
  readonly conn: MessageConnection;
  readonly stderr: string[] = [];
  private readonly waiters: { uri: string; resolve: (d: LspDiagnostic[]) => void; version?: number; where?: (d: LspDiagnostic[]) => boolean }[] = [];
  readonly latest = new Map<string, LspDiagnostic[]>();
  /** Publishes already received, so a wait registered late for a version still resolves. */
  private readonly byVersion = new Map<string, LspDiagnostic[]>();
  private versions = new Map<string, number>();

  constructor(initOptions?: unknown) {
    this.child = spawn(process.execPath, [resolve(root, "bin/netc.js"), "lsp", "--stdio"], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stderr!.on("data", (b: Buffer) => this.stderr.push(b.toString()));
    this.conn = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.conn.onNotification("textDocument/publishDiagnostics", (p: { uri: string; version?: number; diagnostics: LspDiagnostic[] }) => {
      this.latest.set(p.uri, p.diagnostics);
      if (p.version !== undefined) this.byVersion.set(`${p.uri}@${p.version}`, p.diagnostics);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i]!;
        if (w.uri === p.uri && (w.version === undefined || p.version === w.version) && (!w.where || w.where(p.diagnostics))) {
          this.waiters.splice(i, 1);
          w.resolve(p.diagnostics);
        }
      }
    });
    this.conn.onNotification("window/logMessage", () => undefined);
    this.conn.listen();
    this.initOptions = initOptions;
  }
  private initOptions: unknown;

  async initialize(): Promise<{ capabilities: Record<string, unknown> }> {
    const r = await this.conn.sendRequest<{ capabilities: Record<string, unknown> }>("initialize", {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      capabilities: {},
      initializationOptions: this.initOptions,
    });
    await this.conn.sendNotification("initialized", {});
    return r;
  }

  /** Resolves with the next diagnostics published for `uri` (at `version` when given). */
  diagnostics(uri: string, version?: number): Promise<LspDiagnostic[]> {
    const seen = version !== undefined ? this.byVersion.get(`${uri}@${version}`) : undefined;
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ uri, resolve, version }));
  }

  /** Resolves with the next diagnostics published for `uri` that satisfy `where`. */
  diagnosticsWhere(uri: string, where: (d: LspDiagnostic[]) => boolean): Promise<LspDiagnostic[]> {
    return new Promise((resolve) => this.waiters.push({ uri, resolve, where }));
  }

  async open(rel: string, text = textOf(rel)): Promise<LspDiagnostic[]> {
    const uri = uriOf(rel);
    this.versions.set(uri, 1);
    const got = this.diagnostics(uri, 1);
    await this.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "net", version: 1, text } });
    return got;
  }

  /** Sends one change (a range edit, or the whole text) and returns the new version. */
  async change(rel: string, change: { range?: unknown; text: string }): Promise<number> {
    const uri = uriOf(rel);
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.conn.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [change] });
    return version;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.conn.sendRequest<R>(method, params);
  }

  pos(rel: string, line1: number, text: string) {
    return { textDocument: { uri: uriOf(rel) }, position: posOf(textOf(rel), line1, text) };
  }

  alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.conn.sendRequest("shutdown"), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification("exit");
    } catch {
      /* already gone */
    }
    this.conn.dispose();
    if (this.alive()) this.child.kill();
  }
}

/** 0-based position of the first occurrence of `needle` on 1-based line `line1`. */
export function posOf(text: string, line1: number, needle: string): { line: number; character: number } {
  const line = text.split("\n")[line1 - 1] ?? "";
  const character = line.indexOf(needle);
  if (character < 0) throw new Error(`'${needle}' not on line ${line1}: ${line}`);
  return { line: line1 - 1, character };
}
