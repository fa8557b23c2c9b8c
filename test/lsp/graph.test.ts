// The language server's `netc.graph` command: the open spec's `netc graph` page,
// written to a temporary file whose URI it answers. Needs `npm run build`.
import { readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, uriOf } from "./client.js";

describe("netc lsp: netc.graph", () => {
  let c: Client;
  const written: string[] = [];
  beforeAll(async () => {
    c = new Client();
    const init = await c.initialize();
    expect(init.capabilities.executeCommandProvider).toEqual({ commands: ["netc.graph"] });
  });
  afterAll(async () => {
    await c.close();
    for (const p of written) rmSync(dirname(p), { recursive: true, force: true });
  });

  it("writes the open spec's graph page, as it stands in the editor, and answers its uri", async () => {
    await c.open("specs/googlenet.net");
    const r = await c.request<{ uri: string }>("workspace/executeCommand", { command: "netc.graph", arguments: [uriOf("specs/googlenet.net")] });
    expect(r.uri).toMatch(/^file:\/\/.*\/googlenet\.GoogLeNet\.html$/);
    const path = fileURLToPath(r.uri);
    written.push(path);
    const html = readFileSync(path, "utf8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<title>GoogLeNet</title>");
    expect(html.match(/data-node="n\d+"/g)!.length).toBe(99);
    expect(html).toContain("share of MACs");

    // The editor's text, not the disk's: a renamed network, coloured by parameters.
    const text = readFileSync(fileURLToPath(uriOf("specs/googlenet.net")), "utf8").replace("network GoogLeNet(", "network Renamed(");
    const v = await c.change("specs/googlenet.net", { text });
    await c.diagnostics(uriOf("specs/googlenet.net"), v);
    const again = await c.request<{ uri: string }>("workspace/executeCommand", { command: "netc.graph", arguments: [uriOf("specs/googlenet.net"), "params"] });
    const page = readFileSync(fileURLToPath(again.uri), "utf8");
    expect(page).toContain("<title>Renamed</title>");
    expect(page).toContain("share of parameters");
  });

  it("answers an error for a spec with errors, one not open, or bad arguments", async () => {
    await c.open("specs/broken/beginner-googlenet.net");
    await expect(c.request("workspace/executeCommand", { command: "netc.graph", arguments: [uriOf("specs/broken/beginner-googlenet.net")] })).rejects.toThrow(/has errors/);
    await expect(c.request("workspace/executeCommand", { command: "netc.graph", arguments: [uriOf("specs/zoo/vgg16.net")] })).rejects.toThrow(/not an open spec/);
    await expect(c.request("workspace/executeCommand", { command: "netc.graph", arguments: [42] })).rejects.toThrow(/takes the uri/);
    await expect(c.request("workspace/executeCommand", { command: "netc.other", arguments: [] })).rejects.toThrow(/unknown command/);
    expect(c.alive()).toBe(true);
  });
});
