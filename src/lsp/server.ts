// The language server: wires LSP requests to the workspace and the feature
// modules. Every handler validates its params (a malformed request gets an
// InvalidParams error) and catches its own exceptions (a bug answers with an
// error, it never takes the server down). Diagnostics are published from a
// setImmediate after changes: no debounce (a check of googlenet.net takes a few
// ms), but a burst of changes is coalesced into one check of the latest text.

import {
  CodeActionKind, createConnection, ErrorCodes, ProposedFeatures, ResponseError, TextDocumentSyncKind,
  type Connection, type InitializeParams, type InitializeResult, type TextEdit,
} from "vscode-languageserver/node";
import { formatSource } from "../format/format.js";
import { codeActions } from "./actions.js";
import { complete } from "./completion.js";
import { docContext, type DocContext } from "./context.js";
import { pathToUri, toLspDiagnostic, uriToPath } from "./convert.js";
import { hover } from "./hover.js";
import { inlayHints } from "./inlay.js";
import { definition, documentSymbols, references, workspaceSymbols } from "./navigation.js";
import { Workspace } from "./workspace.js";

export interface Settings {
  inlayHints: { shapes: boolean };
}

export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): Connection {
  const ws = new Workspace();
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
    return (params: P): R | ResponseError<void> => {
      try {
        const path = uriToPath(docOf(params));
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

  // Open documents whose latest check has not been published yet. A request may
  // check a document before the flush runs; the flush still publishes it.
  const unpublished = new Set<string>();
  let scheduled = false;
  const schedule = () => {
    for (const p of ws.dirtyEntries()) unpublished.add(p);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      safely("diagnostics", flush);
    });
  };

  // NETC_LSP_TIMING=1 logs where a change's time goes (check vs publishing) to stderr.
  const timing = process.env.NETC_LSP_TIMING === "1";

  function flush(): void {
    const todo = [...unpublished].filter((p) => ws.docs.has(p));
    unpublished.clear();
    const t0 = performance.now();
    const affected = new Set<string>(todo);
    for (const p of todo) {
      const e = ws.check(p);
      if (e) for (const f of e.result.program.files.keys()) affected.add(f);
    }
    for (const p of ws.dirtyEntries()) ws.check(p); // importers of what changed: their diagnostics for other files
    const t1 = performance.now();
    for (const uri of published.keys()) affected.add(uriToPath(uri));
    for (const path of affected) {
      const uri = pathToUri(path);
      const diagnostics = ws.diagnosticsFor(path).map((d) => toLspDiagnostic(d, (p) => ws.text(p)));
      const json = JSON.stringify(diagnostics);
      const doc = ws.docs.get(path);
      // The documents just checked always get a publish (clients wait for it); others only when changed.
      if (!todo.includes(path) && (published.get(uri) ?? "[]") === json) continue;
      if (diagnostics.length === 0 && !doc) published.delete(uri);
      else published.set(uri, json);
      void connection.sendDiagnostics({ uri, version: doc?.version, diagnostics });
    }
    if (timing) process.stderr.write(`netc lsp: checked ${todo.length} in ${(t1 - t0).toFixed(2)} ms, published in ${(performance.now() - t1).toFixed(2)} ms\n`);
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
      ws.open(uriToPath(p.textDocument.uri), p.textDocument.uri, p.textDocument.text, p.textDocument.version);
      schedule();
    }),
  );
  connection.onDidChangeTextDocument((p) =>
    safely("didChange", () => {
      ws.change(uriToPath(p.textDocument.uri), p.contentChanges, p.textDocument.version ?? 0);
      schedule();
    }),
  );
  connection.onDidCloseTextDocument((p) =>
    safely("didClose", () => {
      const path = uriToPath(p.textDocument.uri);
      ws.close(path);
      schedule(); // the flush republishes it with only what other open specs say about it
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

  connection.listen();
  return connection;
}
