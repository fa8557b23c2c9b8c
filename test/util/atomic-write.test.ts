// The one module every netc write goes through: what it refuses to replace, how
// it writes through symbolic links, how a failed or multi-file write is undone,
// and which leftovers of killed runs it removes. Real files, FIFOs and device
// nodes made in a temp dir; never a real /dev node (tests run as root, and a
// rename over one would replace it).
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeOnnx } from "../../src/emit/onnx/index.js";
import { fileSaver } from "../../src/runtime/checkpoint.js";
import { ensureDir, OutputError, writeFilesAtomic, writeFilesAtomicSync } from "../../src/util/atomic-write.js";
import { graphs } from "../onnx/graphs.js";

const tmp = () => mkdtempSync(join(tmpdir(), "netc-atomic-"));
/** netc's temporaries and backups, and the older `.NAME.PID.tmp` ones. */
const scratch = (dir: string) => readdirSync(dir).filter((n) => /\.(netc-\d+-[0-9a-f]+\.(tmp|bak)|\d+\.tmp)$/.test(n));

async function refusal(p: Promise<unknown>): Promise<OutputError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(OutputError);
  return e as OutputError;
}

/** A pid that surely belongs to no process: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", ""]);
  return r.pid!;
}

describe("writeFilesAtomic: targets", () => {
  it("creates missing folders, writes, and leaves no temporary file", async () => {
    const dir = tmp();
    const p = join(dir, "a", "b", "out.txt");
    await writeFilesAtomic([{ path: p, data: "hello" }]);
    expect(readFileSync(p, "utf8")).toBe("hello");
    expect(scratch(join(dir, "a", "b"))).toEqual([]);
  });

  it("replaces a regular file and keeps its mode", async () => {
    const dir = tmp();
    const p = join(dir, "out.bin");
    writeFileSync(p, "old");
    chmodSync(p, 0o640);
    await writeFilesAtomic([{ path: p, data: new Uint8Array([1, 2, 3]) }]);
    expect([...readFileSync(p)]).toEqual([1, 2, 3]);
    expect(statSync(p).mode & 0o777).toBe(0o640);
  });

  it("refuses a FIFO and leaves it a FIFO", async () => {
    const dir = tmp();
    const p = join(dir, "pipe");
    execFileSync("mkfifo", [p]);
    const e = await refusal(writeFilesAtomic([{ path: p, data: "x" }]));
    expect(e.message).toBe(`cannot write ${p}: it is a FIFO (named pipe); netc writes only regular files and never replaces anything else`);
    expect(e.code).toBe("ENOTREG");
    expect(lstatSync(p).isFIFO()).toBe(true);
    expect(scratch(dir)).toEqual([]);
  });

  it("refuses a character device and leaves the node in place", async (ctx) => {
    const dir = tmp();
    const p = join(dir, "fakenull");
    const made = spawnSync("mknod", [p, "c", "1", "3"], { encoding: "utf8" });
    if (made.status !== 0) {
      console.log(`skipped: mknod failed (${(made.stderr || String(made.error)).trim()})`);
      ctx.skip();
    }
    const e = await refusal(writeFilesAtomic([{ path: p, data: "x" }]));
    expect(e.message).toContain(`cannot write ${p}: it is a character device`);
    expect(lstatSync(p).isCharacterDevice()).toBe(true);
    expect(() => writeFilesAtomicSync([{ path: p, data: "x" }])).toThrow(/character device/);
    expect(lstatSync(p).isCharacterDevice()).toBe(true);
    expect(scratch(dir)).toEqual([]);
  });

  it("refuses a directory, asynchronously and synchronously", async () => {
    const dir = tmp();
    const p = join(dir, "existingdir");
    mkdirSync(p);
    const e = await refusal(writeFilesAtomic([{ path: p, data: "x" }]));
    expect(e.message).toContain(`cannot write ${p}: it is a directory`);
    expect(() => writeFilesAtomicSync([{ path: p, data: "x" }])).toThrow(/it is a directory/);
    expect(statSync(p).isDirectory()).toBe(true);
    expect(readdirSync(dir)).toEqual(["existingdir"]);
  });

  it("writes through a symbolic link: the link stays, the file it names gets the bytes", async () => {
    const dir = tmp();
    mkdirSync(join(dir, "real"));
    const real = join(dir, "real", "model.onnx");
    writeFileSync(real, "old");
    const link = join(dir, "link.onnx");
    symlinkSync(join("real", "model.onnx"), link);
    await writeFilesAtomic([{ path: link, data: "new" }]);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(join("real", "model.onnx"));
    expect(readFileSync(real, "utf8")).toBe("new");
    expect(scratch(dir)).toEqual([]);
    expect(scratch(join(dir, "real"))).toEqual([]);
  });

  it("refuses a dangling symbolic link, and one to a FIFO", async () => {
    const dir = tmp();
    const dangling = join(dir, "dangling");
    symlinkSync("nowhere/x.onnx", dangling);
    const e = await refusal(writeFilesAtomic([{ path: dangling, data: "x" }]));
    expect(e.message).toBe(
      `cannot write ${dangling}: it is a symbolic link to nowhere/x.onnx, which does not exist; netc writes through symbolic links but does not create their targets`,
    );
    expect(existsSync(join(dir, "nowhere"))).toBe(false);
    execFileSync("mkfifo", [join(dir, "pipe")]);
    symlinkSync("pipe", join(dir, "topipe"));
    const f = await refusal(writeFilesAtomic([{ path: join(dir, "topipe"), data: "x" }]));
    expect(f.message).toContain(`it is a symbolic link to ${join(dir, "pipe")}, which is a FIFO (named pipe)`);
    expect(readdirSync(dir).sort()).toEqual(["dangling", "pipe", "topipe"]);
  });

  it("names a file that stands where a folder is needed", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "file"), "");
    const p = join(dir, "file", "sub", "out.txt");
    const e = await refusal(writeFilesAtomic([{ path: p, data: "x" }]));
    expect(e.message).toBe(`cannot write ${p}: ${join(dir, "file")} is a regular file, not a directory`);
    expect(() => ensureDir(join(dir, "file", "sub"))).toThrow(`${join(dir, "file")} is a regular file`);
  });

  it("refuses two paths that are the same file", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "a"), "old");
    symlinkSync("a", join(dir, "b"));
    const e = await refusal(writeFilesAtomic([{ path: join(dir, "a"), data: "1" }, { path: join(dir, "b"), data: "2" }]));
    expect(e.message).toContain(`both are ${join(dir, "a")}`);
    expect(readFileSync(join(dir, "a"), "utf8")).toBe("old");
  });

  it("fails cleanly in a read-only directory (run as an unprivileged user when root)", (ctx) => {
    const dir = tmp();
    const ro = join(dir, "ro");
    mkdirSync(ro);
    writeFileSync(join(ro, "out.txt"), "old");
    chmodSync(ro, 0o555);
    const module = join(new URL(".", import.meta.url).pathname, "../../dist/util/atomic-write.js");
    const script = `import(${JSON.stringify(module)}).then((m) => m.writeFilesAtomic([{ path: ${JSON.stringify(join(ro, "out.txt"))}, data: "new" }])).then(() => console.log("written"), (e) => console.log(e.message))`;
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      // root ignores directory permissions: run as nobody, who must be able to reach the folder
      for (const d of [tmpdir(), dir]) chmodSync(d, statSync(d).mode | 0o001);
    }
    if (!existsSync(module)) {
      console.log("skipped: dist/ is not built");
      ctx.skip();
    }
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
    if (r.error || r.stderr.includes("EACCES: permission denied, open") || r.stdout.includes("Cannot find module")) {
      console.log(`skipped: cannot run as an unprivileged user (${String(r.error ?? r.stderr).slice(0, 200)})`);
      ctx.skip();
    }
    expect(r.stdout.trim()).toMatch(new RegExp(`^cannot write ${join(ro, "out.txt")}: cannot create ${ro}/\\.out\\.txt\\.netc-\\d+-[0-9a-f]+\\.tmp: permission denied \\(EACCES\\)$`));
    expect(readFileSync(join(ro, "out.txt"), "utf8")).toBe("old");
    expect(scratch(ro)).toEqual([]);
  });
});

describe("writeFilesAtomic: several files", () => {
  it("replaces a pair and leaves neither temporaries nor backups", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "model.ts"), "old model");
    await writeFilesAtomic([{ path: join(dir, "model.ts"), data: "m" }, { path: join(dir, "train.ts"), data: "t" }]);
    expect(readdirSync(dir).sort()).toEqual(["model.ts", "train.ts"]);
    expect(readFileSync(join(dir, "model.ts"), "utf8")).toBe("m");
  });

  it("writes nothing when one target is refused (train.ts is a directory)", async () => {
    const dir = tmp();
    mkdirSync(join(dir, "train.ts"));
    const e = await refusal(writeFilesAtomic([{ path: join(dir, "model.ts"), data: "m" }, { path: join(dir, "train.ts"), data: "t" }]));
    expect(e.message).toBe(
      `cannot write ${join(dir, "train.ts")}: it is a directory; netc writes only regular files and never replaces anything else; none of model.ts, train.ts was written`,
    );
    expect(readdirSync(dir)).toEqual(["train.ts"]);
  });

  it("puts back the files already renamed when a later rename fails", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "a"), "old a");
    const files = [{ path: join(dir, "a"), data: "new a" }, { path: join(dir, "new"), data: "new" }, { path: join(dir, "c"), data: "new c" }];
    const e = await refusal(
      writeFilesAtomic(files, {
        beforeRename: (_p, i) => {
          // c's temporary file vanishes: its rename fails after a and new were renamed
          if (i === 2) for (const n of readdirSync(dir)) if (n.startsWith(".c.netc-")) unlinkSync(join(dir, n));
        },
      }),
    );
    expect(e.message).toBe(`cannot write ${join(dir, "c")}: no such file or directory (ENOENT); none of a, new, c was written`);
    expect(readFileSync(join(dir, "a"), "utf8")).toBe("old a");
    expect(readdirSync(dir)).toEqual(["a"]);
  });

  it("does not rename over a directory that appeared while the files were written", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "a"), "old a");
    const e = await refusal(
      writeFilesAtomic([{ path: join(dir, "a"), data: "new a" }, { path: join(dir, "c"), data: "new c" }], {
        beforeRename: (_p, i) => void (i === 1 && mkdirSync(join(dir, "c"))),
      }),
    );
    expect(e.message).toBe(`cannot write ${join(dir, "c")}: it is now a directory; netc writes only regular files and never replaces anything else; none of a, c was written`);
    expect(readFileSync(join(dir, "a"), "utf8")).toBe("old a");
    expect(readdirSync(dir).sort()).toEqual(["a", "c"]);
  });

  it("ONNX with external data: both files or neither", () => {
    const dir = tmp();
    const p = join(dir, "m.onnx");
    mkdirSync(`${p}.data`);
    expect(() => writeOnnx(graphs().conv_variants!, p, { externalDataThreshold: 0 })).toThrow(
      `cannot write ${p}.data: it is a directory; netc writes only regular files and never replaces anything else; none of m.onnx, m.onnx.data was written`,
    );
    expect(readdirSync(dir)).toEqual(["m.onnx.data"]);
  });

  it("a checkpoint whose weights.bin is a directory: model.json is not written either", async () => {
    const dir = tmp();
    mkdirSync(join(dir, "weights.bin"));
    const saver = fileSaver(dir);
    const e = await refusal(saver.save!({ modelTopology: {}, weightSpecs: [], weightData: new ArrayBuffer(8) }));
    expect(e.message).toContain(`cannot write ${join(dir, "weights.bin")}: it is a directory`);
    expect(readdirSync(dir)).toEqual(["weights.bin"]);
  });
});

describe("writeFilesAtomic: leftovers of killed runs", () => {
  it("removes the temporaries of dead netc processes for the same file, and nothing else", async () => {
    const dir = tmp();
    const dead = deadPid();
    const live = process.ppid;
    const names = [
      `.out.onnx.netc-${dead}-0badf00d.tmp`, // dead run: removed
      `.out.onnx.netc-${dead}-0badf00d.bak`, // dead run's backup: removed
      `.out.onnx.${dead}.tmp`, // older netc's name: removed
      `.out.onnx.netc-${live}-cafe0001.tmp`, // a live process may still be writing: kept
      `.other.onnx.netc-${dead}-0badf00d.tmp`, // another file's: kept
      `.out.onnx.netc-${dead}-notmine.tmp`, // not netc's pattern: kept
    ];
    for (const n of names) writeFileSync(join(dir, n), "partial");
    await writeFilesAtomic([{ path: join(dir, "out.onnx"), data: "ok" }]);
    expect(readdirSync(dir).sort()).toEqual(["out.onnx", ...names.slice(3)].sort());
  });
});
