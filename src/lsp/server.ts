// The language server: wires LSP requests to the workspace and the feature
// modules. Every handler validates its params (a malformed request gets an
// InvalidParams error) and catches its own exceptions (a bug answers with an
// error, it never takes the server down). The transport is read by our own
// framing reader (src/lsp/framing.ts), which survives malformed input.
//
// Diagnostics: changed documents go into a check queue, drained one check per
// event-loop turn (so requests, $/cancelRequest and shutdown are answered
// between checks). No debounce: a check of googlenet.net takes a few ms. A
// document with a newer change already read from the transport but not yet
// handled is not checked: only its latest version is, so a burst of changes
// costs one check. A document whose checks are slow waits for a pause in
// typing (anywhere) as long as its last check took, at most 2 s, and requests
// on other documents use its last check; documents too long to check live get
// one NET5005 warning instead (workspace.ts).

import {
  CodeActionKind, createConnection, ErrorCodes, LSPErrorCodes, ProposedFeatures, ResponseError, TextDocumentSyncKind,
  type CancellationToken, type Connection, type InitializeParams, type InitializeResult, type TextEdit,
} from "vscode-languageserver/node";
import { StreamMessageWriter, type Message } from "vscode-jsonrpc/node";
import { formatSource } from "../format/format.js";
import { codeActions } from "./actions.js";
import { complete } from "./completion.js";
import { docContext, type DocContext } from "./context.js";
import { pathToUri, toLspDiagnostic, uriToPath } from "./convert.js";
import { FramedMessageReader } from "./framing.js";
import { GRAPH_COMMAND } from "./graph.js";
import { hover } from "./hover.js";
import { inlayHints } from "./inlay.js";
import { definition, documentSymbols, references, workspaceSymbols } from "./navigation.js";
import { Workspace, type WorkspaceOptions } from "./workspace.js";

/** Document notifications whose order the check queue cares about. */
const DOC_NOTIFICATIONS = new Set(["textDocument/didOpen", "textDocument/didChange", "textDocument/didClose"]);
const uriIn = (params: unknown): string | undefined => {
  const uri = (params as { textDocument?: { uri?: unknown } } | undefined)?.textDocument?.uri;
  return typeof uri === "string" ? uri : undefined;
};

/** Document notifications read from the transport and not yet handled, by uri. */
class Inbox {
  readonly waiting = new Map<string, number>();
  read(m: Message): void {
    const { method, params } = m as { method?: unknown; params?: unknown };
    const uri = typeof method === "string" && DOC_NOTIFICATIONS.has(method) ? uriIn(params) : undefined;
    if (uri !== undefined) this.waiting.set(uri, (this.waiting.get(uri) ?? 0) + 1);
  }
  handled(params: unknown): void {
    const uri = uriIn(params);
    if (uri === undefined) return;
    const n = (this.waiting.get(uri) ?? 0) - 1;
    if (n > 0) this.waiting.set(uri, n);
    else this.waiting.delete(uri);
  }
}

/** A connection on stdin/stdout through the framing reader; exits when stdin ends, as vscode-languageserver's does. */
function stdioConnection(inbox: Inbox): Connection {
  const reader = new FramedMessageReader(process.stdin, {
    log: (m) => process.stderr.write(`${m}\n`),
    peek: (m) => inbox.read(m),
  });
  const connection = createConnection(ProposedFeatures.all, reader, new StreamMessageWriter(process.stdout));
  let shutdown = false;
  connection.onShutdown(() => {
    shutdown = true;
  });
  const end = () => process.exit(shutdown ? 0 : 1);
  process.stdin.on("end", end);
  process.stdin.on("close", end);
  return connection;
}

/** A check slower than this makes its document wait for a pause in typing before the next one. */
const SLOW_CHECK_MS = 50;
const MAX_QUIET_MS = 2000;

export interface Settings {
  inlayHints: { shapes: boolean };
}

export function startServer(given?: Connection, options: WorkspaceOptions = {}): Connection {
  const inbox = new Inbox();
  const connection = given ?? stdioConnection(inbox);
  const ws = new Workspace(options);
  let publishes = 0;
  const settings: Settings = { inlayHints: { shapes: true } };
  let roots: string[] = [];
  let canRefreshHints = false;
  const published = new Map<string, string>(); // uri -> last published JSON (other files are skipped when unchanged)

  const log = (msg: string) => {
    try {
      connection.console.error(msg);
    } catch {
      process.stderr.write(`${msg}\n`);
    }
  };

  // ---- validation and guarding ----

  const invalid = (what: string) => new ResponseError(ErrorCodes.InvalidParams, `netc: invalid params: ${what}`);
  const docOf = (params: unknown): string => {
    const uri = (params as { textDocument?: { uri?: unknown } } | undefined)?.textDocument?.uri;
    if (typeof uri !== "string") throw invalid("textDocument.uri must be a string");
    return uri;
  };
  const positionOf = (params: unknown): { line: number; character: number } => {
    const p = (params as { position?: { line?: unknown; character?: unknown } }).position;
    if (!p || !Number.isInteger(p.line) || !Number.isInteger(p.character) || (p.line as number) < 0 || (p.character as number) < 0) {
      throw invalid("position must be {line, character} with non-negative integers");
    }
    return p as { line: number; character: number };
  };
  const rangeOf = (params: unknown, required: boolean) => {
    const r = (params as { range?: { start?: unknown; end?: unknown } }).range;
    if (!r) {
      if (required) throw invalid("range is required");
      return undefined;
    }
    return { start: positionOf({ position: r.start }), end: positionOf({ position: r.end }) };
  };

  /** Runs a document request: validated params, the document's context, errors turned into responses. */
  function guarded<P, R>(name: string, empty: R, fn: (ctx: DocContext, params: P) => R) {
    return (params: P, token?: CancellationToken): R | ResponseError<void> => {
      // Cancelled while it waited behind a check: skip the work.
      if (token?.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, `netc: ${name} cancelled`);
      try {
        const path = uriToPath(docOf(params));
        if (ws.tooLarge(path)) return empty; // NET5005 says why
        const ctx = docContext(ws, path);
        if (!ctx) return empty; // not an open document: nothing to say
        return fn(ctx, params);
      } catch (e) {
        if (e instanceof ResponseError) return e as ResponseError<void>;
        log(`netc lsp: ${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        return new ResponseError(ErrorCodes.InternalError, `netc: ${name} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
  }
  const safely = (name: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      log(`netc lsp: ${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  };

  // ---- diagnostics ----

  // Open documents to check, oldest first; `republish` when a close may have changed what is shown.
  const queue = new Set<string>();
  // A document whose last check was slow waits for a pause in typing (in any
  // document) that long, capped, so typing keeps the server mostly responsive.
  let lastChange = 0; // any edit: an importer of the edited file is re-checked too
  const waitingForQuiet = new Map<string, NodeJS.Timeout>();
  const quietFor = (path: string) => {
    const ms = ws.entries.get(path)?.cost ?? 0;
    return ms < SLOW_CHECK_MS ? 0 : Math.min(ms, MAX_QUIET_MS);
  };
  let republish = false;
  let turn: NodeJS.Immediate | undefined;
  let fallback: NodeJS.Timeout | undefined;
  const schedule = () => {
    for (const p of ws.dirtyEntries()) queue.add(p);
    kick();
  };
  const kick = () => {
    if (!turn && (queue.size > 0 || republish)) turn = setImmediate(() => safely("diagnostics", step));
  };

  // NETC_LSP_TIMING=1 logs where a change's time goes (check vs publishing) to stderr.
  const timing = process.env.NETC_LSP_TIMING === "1";

  /** One event-loop turn of the queue: at most one check, then its publishes. */
  function step(): void {
    turn = undefined;
    let stalled = false;
    for (const path of queue) {
      queue.delete(path);
      const doc = ws.docs.get(path);
      if (!doc) continue;
      // A newer change to it is already read: checking this version is wasted work.
      if (inbox.waiting.has(doc.uri)) {
        stalled = true;
        continue;
      }
      const wait = lastChange + quietFor(path) - performance.now();
      if (wait > 0) {
        if (!waitingForQuiet.has(path)) {
          waitingForQuiet.set(path, setTimeout(() => {
            waitingForQuiet.delete(path);
            queue.add(path);
            kick();
          }, wait));
        }
        continue;
      }
      const t0 = performance.now();
      const e = ws.check(path);
      const t1 = performance.now();
      publish([path], e ? [...e.result.program.files.keys()] : []);
      if (timing) process.stderr.write(`netc lsp: checked in ${(t1 - t0).toFixed(2)} ms, published in ${(performance.now() - t1).toFixed(2)} ms\n`);
      break;
    }
    if (queue.size === 0 && republish) {
      republish = false;
      publish([], []);
    }
    // Backstop: should a read change never reach its handler, its document is still checked.
    if (stalled && !fallback) {
      fallback = setTimeout(() => {
        fallback = undefined;
        inbox.waiting.clear();
        schedule();
      }, 1000);
    }
    kick();
  }

  /** Publishes for the documents just checked (always: clients wait for it) and whatever else changed. */
  function publish(checked: string[], read: string[]): void {
    const affected = new Set<string>([...checked, ...read]);
    for (const uri of published.keys()) affected.add(uriToPath(uri));
    for (const path of affected) {
      const uri = pathToUri(path);
      const diagnostics = ws.diagnosticsFor(path).map((d) => toLspDiagnostic(d, (p) => ws.text(p)));
      const json = JSON.stringify(diagnostics);
      const doc = ws.docs.get(path);
      if (!checked.includes(path) && (published.get(uri) ?? "[]") === json) continue;
      if (diagnostics.length === 0 && !doc) published.delete(uri);
      else published.set(uri, json);
      publishes++;
      void connection.sendDiagnostics({ uri, version: doc?.version, diagnostics });
    }
  }

  // ---- lifecycle ----

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const folders = params.workspaceFolders?.map((f) => uriToPath(f.uri)) ?? [];
    if (folders.length === 0 && params.rootUri) folders.push(uriToPath(params.rootUri));
    roots = folders;
    canRefreshHints = !!params.capabilities?.workspace?.inlayHint?.refreshSupport;
    readSettings((params.initializationOptions as { netc?: unknown } | undefined)?.netc ?? params.initializationOptions);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: [" ", "=", "\"", "("] },
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        inlayHintProvider: true,
        executeCommandProvider: { commands: [GRAPH_COMMAND] },
      },
      serverInfo: { name: "netc" },
    };
  });

  function readSettings(raw: unknown): void {
    const shapes = (raw as { inlayHints?: { shapes?: unknown } } | undefined)?.inlayHints?.shapes;
    if (typeof shapes === "boolean") settings.inlayHints.shapes = shapes;
  }

  connection.onDidChangeConfiguration((p) =>
    safely("configuration", () => {
      readSettings((p.settings as { netc?: unknown } | undefined)?.netc);
      if (canRefreshHints) void connection.languages.inlayHint.refresh().catch(() => undefined);
    }),
  );

  // ---- documents ----

  connection.onDidOpenTextDocument((p) =>
    safely("didOpen", () => {
      inbox.handled(p);
      ws.open(uriToPath(p.textDocument.uri), p.textDocument.uri, p.textDocument.text, p.textDocument.version);
      schedule();
    }),
  );
  connection.onDidChangeTextDocument((p) =>
    safely("didChange", () => {
      inbox.handled(p);
      lastChange = performance.now();
      ws.change(uriToPath(p.textDocument.uri), p.contentChanges, p.textDocument.version ?? 0);
      schedule();
    }),
  );
  connection.onDidCloseTextDocument((p) =>
    safely("didClose", () => {
      inbox.handled(p);
      const path = uriToPath(p.textDocument.uri);
      ws.close(path);
      republish = true; // with only what other open specs say about it
      schedule();
    }),
  );
  connection.onDidChangeWatchedFiles((p) =>
    safely("watchedFiles", () => {
      for (const c of p.changes) {
        const path = uriToPath(c.uri);
        if (!ws.docs.has(path)) ws.invalidate(path); // an open document's editor copy wins over the disk
      }
      schedule();
    }),
  );

  // ---- requests ----

  connection.onHover(guarded("hover", null, (ctx, p) => hover(ctx, ctx.lines.offset(positionOf(p)))));
  connection.onCompletion(guarded("completion", [], (ctx, p) => complete(ctx, ctx.lines.offset(positionOf(p)))));
  connection.onDefinition(guarded("definition", [], (ctx, p) => definition(ctx, ctx.lines.offset(positionOf(p)))));
  connection.onReferences(
    guarded("references", [], (ctx, p) => references(ctx, ctx.lines.offset(positionOf(p)), !!p.context?.includeDeclaration)),
  );
  connection.onDocumentSymbol(guarded("documentSymbol", [], (ctx) => documentSymbols(ctx)));
  connection.onCodeAction(guarded("codeAction", [], (ctx, p) => codeActions(ctx, rangeOf(p, true)!)));
  connection.languages.inlayHint.on(
    guarded("inlayHint", [], (ctx, p) => {
      if (!settings.inlayHints.shapes) return [];
      const r = rangeOf(p, false) ?? { start: { line: 0, character: 0 }, end: ctx.lines.position(ctx.text.length) };
      return inlayHints(ctx, r);
    }),
  );
  connection.onDocumentFormatting(
    guarded("formatting", [] as TextEdit[], (ctx) => {
      const r = formatSource(ctx.text, ctx.path);
      if (r.diagnostics.some((d) => d.severity === "error") || r.text === ctx.text) return [];
      return [{ range: { start: { line: 0, character: 0 }, end: ctx.lines.position(ctx.text.length) }, newText: r.text }];
    }),
  );
  connection.onWorkspaceSymbol((p) => {
    try {
      if (typeof p?.query !== "string") return invalid("query must be a string");
      ws.allEntries(); // bring every open program up to date
      const files = new Map<string, import("../syntax/ast.js").SourceFile>();
      for (const e of ws.entries.values()) for (const [k, f] of e.result.program.files) files.set(k, f);
      return workspaceSymbols({ files }, roots, p.query);
    } catch (e) {
      log(`netc lsp: workspaceSymbol failed: ${String(e)}`);
      return new ResponseError(ErrorCodes.InternalError, "netc: workspace symbols failed");
    }
  });

  // `netc.graph [uri, "macs" | "params"]`: the picture of an open spec as an HTML page; answers { uri } of the file.
  connection.onExecuteCommand(async (p) => {
    try {
      if (p?.command !== GRAPH_COMMAND) return invalid(`unknown command: ${String(p?.command)}`);
      const [uri, color] = Array.isArray(p.arguments) ? p.arguments : [];
      if (typeof uri !== "string") return invalid(`${GRAPH_COMMAND} takes the uri of an open spec`);
      if (color !== undefined && color !== "macs" && color !== "params") return invalid(`${GRAPH_COMMAND}: colour by "macs" or "params"`);
      const path = uriToPath(uri);
      const entry = ws.docs.has(path) && !ws.tooLarge(path) ? ws.check(path) : undefined;
      if (!entry) return invalid(`${GRAPH_COMMAND}: ${uri} is not an open spec`);
      const graph = entry.result.graph;
      if (!graph) return new ResponseError(ErrorCodes.InvalidRequest, "netc: the spec has errors: fix them to draw its graph");
      const { writeGraphPage } = await import("./graph.js");
      return { uri: pathToUri(await writeGraphPage(graph, entry.result.resolutions, path, color ?? "macs")) };
    } catch (e) {
      log(`netc lsp: ${GRAPH_COMMAND} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      return new ResponseError(ErrorCodes.InternalError, `netc: ${GRAPH_COMMAND} failed`);
    }
  });

  // Counters for tests and measurements: checks run, disk reads, diagnostics published.
  connection.onRequest("netc/stats", () => ({ ...ws.stats, publishes, queued: queue.size }));

  connection.listen();
  return connection;
}
