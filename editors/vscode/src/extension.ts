// The VS Code client: starts `netc lsp --stdio` (netc.path; a .js path runs
// under Node) and hands it .net documents, .net file changes on disk and the
// `netc` settings. Everything else happens in the server.

import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function serverOptions(): ServerOptions {
  const path = vscode.workspace.getConfiguration("netc").get<string>("path") || "netc";
  const args = ["lsp", "--stdio"];
  if (path.endsWith(".js")) {
    // bin/netc.js from a checkout: run it with a Node the client finds (VS Code's own by default).
    return { module: path, args, transport: TransportKind.stdio };
  }
  return { command: path, args, transport: TransportKind.stdio, options: { shell: process.platform === "win32" } };
}

function clientOptions(): LanguageClientOptions {
  const config = vscode.workspace.getConfiguration("netc");
  return {
    documentSelector: [
      { scheme: "file", language: "net" },
      { scheme: "untitled", language: "net" },
    ],
    initializationOptions: { netc: { inlayHints: { shapes: config.get<boolean>("inlayHints.shapes", true) } } },
    synchronize: {
      configurationSection: "netc",
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.net"),
    },
  };
}

/** "netc: Show Network Graph": the server writes the open spec's `netc graph` page; the browser shows it. */
async function showGraph(): Promise<void> {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || doc.languageId !== "net" || !client) {
    void vscode.window.showInformationMessage("netc: open a .net spec to show its graph");
    return;
  }
  try {
    const r = await client.sendRequest<{ uri: string }>("workspace/executeCommand", { command: "netc.graph", arguments: [doc.uri.toString()] });
    await vscode.env.openExternal(vscode.Uri.parse(r.uri));
  } catch (e) {
    void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  client = new LanguageClient("netc", "netc language server", serverOptions(), clientOptions());
  await client.start();
  context.subscriptions.push(vscode.commands.registerCommand("netc.showGraph", showGraph));
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      // A new executable needs a new server; other settings reach it as didChangeConfiguration.
      if (e.affectsConfiguration("netc.path") && client) {
        await client.stop();
        client = new LanguageClient("netc", "netc language server", serverOptions(), clientOptions());
        await client.start();
      }
    }),
  );
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
