// A headless Chromium driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: JSON messages separated by NUL on fds 3 and 4), so
// the tests need no browser-automation package: only Debian's chromium.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";

export class Browser {
  private readonly child: ChildProcess;
  private readonly profile: string;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private buffer = "";
  readonly stderr: string[] = [];

  constructor(executable: string) {
    this.profile = mkdtempSync(join(tmpdir(), "netc-chromium-"));
    this.child = spawn(
      executable,
      ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions", "--allow-file-access-from-files", `--user-data-dir=${this.profile}`, "--remote-debugging-pipe", "about:blank"],
      { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] },
    );
    this.child.stderr!.on("data", (b: Buffer) => this.stderr.push(b.toString()));
    const out = this.child.stdio[4] as Readable;
    out.on("data", (b: Buffer) => {
      this.buffer += b.toString("utf8");
      for (let i = this.buffer.indexOf("\0"); i >= 0; i = this.buffer.indexOf("\0")) {
        const msg = JSON.parse(this.buffer.slice(0, i)) as { id?: number; result?: unknown; error?: { message: string } };
        this.buffer = this.buffer.slice(i + 1);
        const p = msg.id !== undefined ? this.pending.get(msg.id) : undefined;
        if (!p) continue;
        this.pending.delete(msg.id!);
        if (msg.error) p.reject(new Error(msg.error.message));
        else p.resolve(msg.result);
      }
    });
    this.child.on("exit", () => {
      for (const p of this.pending.values()) p.reject(new Error(`chromium exited: ${this.stderr.join("").slice(-2000)}`));
      this.pending.clear();
    });
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = this.next++;
    const promise = new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
    (this.child.stdio[3] as Writable).write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    return promise;
  }

  /** Opens `url` in a new page and returns the page. */
  async open(url: string, width = 1400, height = 1000): Promise<Page> {
    const { targetId } = await this.send<{ targetId: string }>("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send<{ sessionId: string }>("Target.attachToTarget", { targetId, flatten: true });
    const page = new Page(this, sessionId);
    await this.send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false }, sessionId);
    await this.send("Page.enable", {}, sessionId);
    await this.send("Page.navigate", { url }, sessionId);
    await page.waitFor("document.readyState === 'complete'");
    return page;
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => this.child.once("exit", r));
    try {
      await Promise.race([this.send("Browser.close"), new Promise((r) => setTimeout(r, 2000))]);
    } catch {
      // already gone
    }
    if (this.child.exitCode === null) {
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (this.child.exitCode === null) this.child.kill("SIGKILL");
    }
    rmSync(this.profile, { recursive: true, force: true });
  }
}

export class Page {
  constructor(
    private readonly browser: Browser,
    private readonly sessionId: string,
  ) {}

  /** Evaluates an expression in the page (promises awaited) and returns its value. */
  async eval<T>(expression: string): Promise<T> {
    const r = await this.browser.send<{ result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>(
      "Runtime.evaluate",
      { expression, awaitPromise: true, returnByValue: true },
      this.sessionId,
    );
    if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** Polls until `expression` is true in the page (up to 30 s). */
  async waitFor(expression: string): Promise<void> {
    for (let i = 0; i < 600; i++) {
      if (await this.eval<boolean>(`!!(${expression})`).catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${expression}`);
  }

  /** A PNG of the whole page. */
  async screenshot(): Promise<Buffer> {
    const { data } = await this.browser.send<{ data: string }>("Page.captureScreenshot", { format: "png", captureBeyondViewport: true }, this.sessionId);
    return Buffer.from(data, "base64");
  }
}
