// `netc lsp [--stdio]`: the language server on stdin/stdout. Everything LSP lives in src/lsp.

export async function run(): Promise<void> {
  // stdout is the protocol channel: nothing else may write to it.
  console.log = console.error;
  process.on("uncaughtException", (e) => process.stderr.write(`netc lsp: uncaught: ${e instanceof Error ? e.stack : String(e)}\n`));
  process.on("unhandledRejection", (e) => process.stderr.write(`netc lsp: unhandled rejection: ${e instanceof Error ? e.stack : String(e)}\n`));
  const { startServer } = await import("../../lsp/server.js");
  // Returns at once: the open stdin keeps the process alive until the client sends `exit`.
  startServer();
}
