// Where `netc compile` writes, seen from outside: targets it refuses to replace,
// symbolic links it writes through, and what a signal or a kill mid-write leaves
// behind. Runs the built CLI (`npm test` builds first) on FIFOs, device nodes and
// folders made in a temp dir; never a real /dev node.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = join(new URL(".", import.meta.url).pathname, "../..");
const built = existsSync(join(root, "dist/cli/main.js"));
const tmp = () => mkdtempSync(join(tmpdir(), "netc-output-"));
const spec = join(tmp(), "tiny.net");
writeFileSync(spec, "network Tiny {\n  input image 1x8x8\n  f = flatten\n  fc = dense 10\n}\n");
const scratch = (dir: string) => readdirSync(dir).filter((n) => /\.(netc-\d+-[0-9a-f]+\.(tmp|bak)|\d+\.tmp)$/.test(n));

function netc(args: string[], nodeArgs: string[] = [], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [...nodeArgs, join(root, "bin/netc.js"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, ...env } });
  return { code: r.status, signal: r.signal, pid: r.pid, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Preloaded into netc: the first write to one of its temporary files sends
 * NETC_TEST_SIGNAL to the process itself, so the signal lands mid-write.
 */
function signalPreload(dir: string): string {
  const p = join(dir, "signal-mid-write.mjs");
  writeFileSync(
    p,
    `import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
const temps = new Set();
const { openSync, writeSync } = fs;
let sent = false;
fs.openSync = (path, ...rest) => {
  const fd = openSync(path, ...rest);
  if (/\\.netc-\\d+-[0-9a-f]+\\.tmp$/.test(String(path))) temps.add(fd);
  return fd;
};
fs.writeSync = (fd, ...rest) => {
  const n = writeSync(fd, ...rest);
  if (!sent && temps.has(fd)) {
    sent = true;
    process.kill(process.pid, process.env.NETC_TEST_SIGNAL);
  }
  return n;
};
syncBuiltinESMExports();
`,
  );
  return p;
}

describe.runIf(built)("netc compile: output targets", () => {
  it("refuses a FIFO and a directory with exit 2, leaving them as they were and no temporary file", () => {
    const dir = tmp();
    execFileSync("mkfifo", [join(dir, "pipe")]);
    mkdirSync(join(dir, "existingdir"));
    const cases: [string, string][] = [
      ["pipe", "it is a FIFO (named pipe); netc writes only regular files and never replaces anything else"],
      ["existingdir", "it is a directory; netc writes only regular files and never replaces anything else"],
    ];
    for (const [name, why] of cases) {
      const r = netc(["compile", spec, "--target", "onnx", "-o", join(dir, name)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`netc: cannot write ${join(dir, name)}: ${why}\n`);
    }
    expect(lstatSync(join(dir, "pipe")).isFIFO()).toBe(true);
    expect(readdirSync(join(dir, "existingdir"))).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(["existingdir", "pipe"]);
  });

  it("refuses a character device node (made with mknod in a temp dir)", (ctx) => {
    const dir = tmp();
    const dev = join(dir, "fakenull");
    const made = spawnSync("mknod", [dev, "c", "1", "3"], { encoding: "utf8" });
    if (made.status !== 0) {
      console.log(`skipped: mknod failed (${(made.stderr || String(made.error)).trim()})`);
      ctx.skip();
    }
    const r = netc(["compile", spec, "--target", "onnx", "-o", dev]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`netc: cannot write ${dev}: it is a character device`);
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
    expect(readdirSync(dir)).toEqual(["fakenull"]);
  });

  it("writes through a symbolic link", () => {
    const dir = tmp();
    mkdirSync(join(dir, "models"));
    writeFileSync(join(dir, "models", "v1.onnx"), "old");
    symlinkSync("models/v1.onnx", join(dir, "current.onnx"));
    const r = netc(["compile", spec, "--target", "onnx", "-o", join(dir, "current.onnx")]);
    expect(r.code).toBe(0);
    expect(readlinkSync(join(dir, "current.onnx"))).toBe("models/v1.onnx");
    expect(readFileSync(join(dir, "models", "v1.onnx")).byteLength).toBeGreaterThan(1000);
    expect(scratch(dir).concat(scratch(join(dir, "models")))).toEqual([]);
  });

  it("tfjs: when train.ts is a directory, model.ts is not written either", () => {
    const dir = tmp();
    mkdirSync(join(dir, "train.ts"));
    const r = netc(["compile", spec, "--target", "tfjs", "--out", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `netc: cannot write ${join(dir, "train.ts")}: it is a directory; netc writes only regular files and never replaces anything else; none of model.ts, train.ts was written\n`,
    );
    expect(readdirSync(dir)).toEqual(["train.ts"]);
  });
});

describe.runIf(built)("netc compile: interrupted writes", () => {
  for (const [signal, status] of [
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const) {
    it(`${signal} mid-write removes the temporary file, keeps the old output, and ends by the signal (shell status ${status})`, () => {
      const dir = tmp();
      const out = join(dir, "m.onnx");
      writeFileSync(out, "old");
      const r = netc(["compile", spec, "--target", "onnx", "-o", out], ["--import", signalPreload(dir)], { NETC_TEST_SIGNAL: signal });
      expect(r.signal).toBe(signal);
      expect(readFileSync(out, "utf8")).toBe("old");
      expect(scratch(dir)).toEqual([]);
    });
  }

  it("SIGKILL mid-write leaves a temporary file named after the run, which the next write removes", () => {
    const dir = tmp();
    const out = join(dir, "m.onnx");
    writeFileSync(out, "old");
    const killed = netc(["compile", spec, "--target", "onnx", "-o", out], ["--import", signalPreload(dir)], { NETC_TEST_SIGNAL: "SIGKILL" });
    expect(killed.signal).toBe("SIGKILL");
    expect(readFileSync(out, "utf8")).toBe("old");
    const left = scratch(dir);
    expect(left).toEqual([expect.stringMatching(new RegExp(`^\\.m\\.onnx\\.netc-${killed.pid}-[0-9a-f]{8}\\.tmp$`))]);
    const again = netc(["compile", spec, "--target", "onnx", "-o", out]);
    expect(again.code).toBe(0);
    expect(readdirSync(dir).filter((n) => n !== "signal-mid-write.mjs")).toEqual(["m.onnx"]);
  });
});

const writers: ChildProcess[] = [];
afterEach(() => {
  for (const c of writers.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

/** A node process that writes two files with the built module and pauses before renaming the second one. */
function pausedWriter(dir: string, ownHandler: boolean): ChildProcess {
  const module = join(root, "dist/util/atomic-write.js");
  const files = [
    { path: join(dir, "model.ts"), data: "new model" },
    { path: join(dir, "train.ts"), data: "new train" },
  ];
  const script = `
    const { writeFilesAtomic } = await import(${JSON.stringify(module)});
    ${ownHandler ? `process.on("SIGINT", () => console.log("own handler"));` : ""}
    setInterval(() => {}, 1000);
    try {
      await writeFilesAtomic(${JSON.stringify(files)}, {
        beforeRename: (path, i) => (i === 1 ? (console.log("paused"), new Promise(() => {})) : undefined),
      });
    } catch (e) { console.log(e.message); process.exit(3); }`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  writers.push(child);
  return child;
}

function untilPaused(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (b: Buffer) => b.toString().includes("paused") && resolve());
    child.on("exit", (code) => reject(new Error(`writer exited early (${code})`)));
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  let stdout = "";
  child.stdout!.on("data", (b: Buffer) => (stdout += b.toString()));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout })));
}

describe.runIf(built)("a multi-file write interrupted between renames", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal}: the file already renamed is put back, nothing else remains`, { timeout: 20_000 }, async () => {
      const dir = tmp();
      writeFileSync(join(dir, "model.ts"), "old model");
      const child = pausedWriter(dir, false);
      const done = exited(child);
      await untilPaused(child);
      expect(readFileSync(join(dir, "model.ts"), "utf8")).toBe("new model");
      expect(scratch(dir).length).toBe(2); // train.ts's temporary and model.ts's backup
      child.kill(signal);
      expect(await done).toMatchObject({ signal, code: null });
      expect(readFileSync(join(dir, "model.ts"), "utf8")).toBe("old model");
      expect(readdirSync(dir)).toEqual(["model.ts"]);
    });
  }

  it("a program with its own SIGINT handler keeps running; the write fails and is undone", { timeout: 20_000 }, async () => {
    const dir = tmp();
    const child = pausedWriter(dir, true);
    const done = exited(child);
    await untilPaused(child);
    child.kill("SIGINT");
    const r = await done;
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("own handler");
    expect(r.stdout).toContain(`writing ${join(dir, "model.ts")}, ${join(dir, "train.ts")} was interrupted by SIGINT; none of model.ts, train.ts was written`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe.runIf(built)("netc fmt --write", () => {
  it("writes through a symbolic link", () => {
    const dir = tmp();
    writeFileSync(join(dir, "real.net"), "network N {\n  input image 1x8x8\n     fc = dense 10\n}\n");
    symlinkSync("real.net", join(dir, "link.net"));
    const r = netc(["fmt", join(dir, "link.net")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(lstatSync(join(dir, "link.net")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "real.net"), "utf8")).toContain("\n  fc = dense 10\n");
    expect(scratch(dir)).toEqual([]);
  });
});
