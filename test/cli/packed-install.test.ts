// netc as a user gets it: `npm pack`, installed into a fresh project with no
// .npmrc, offline, then `npx netc compile` (ONNX, tfjs --js) and the generated
// training program run in a CommonJS project ("type": "commonjs", as `npm init`
// writes it) and in an ES-module one.
//
// Offline for certain: `npm ci --offline` reads only npm's cache (never the
// registry), the proxies npm and onnxruntime-node's install script use
// (global-agent) point at a closed port, and the environment is a user's (no
// npm_config_* from the npm running the tests, no ONNXRUNTIME_NODE_INSTALL).
// On Linux x64 onnxruntime-node's install step then fails to download its
// CUDA provider; as an optional dependency npm leaves it out and the install
// succeeds. The tarball lists no versions, so the project gets a lock file
// made from netc's own (its non-dev entries, which `npm ci` in this checkout
// put into the cache): that is what makes the install possible without the
// registry's package lists. If the cache lacks a tarball (a clone whose
// dependencies came from elsewhere), the test skips and says so.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeIdxFixture } from "../tfjs/fixtures.js";
import { root } from "./helpers.js";

const CLOSED = "http://127.0.0.1:9";
const built = existsSync(join(root, "dist", "cli", "main.js"));

/** A user's environment: no npm_* variables from the npm running vitest, no onnxruntime switches, dead proxies. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || /^ONNXRUNTIME_NODE_INSTALL/i.test(k) || /_proxy$/i.test(k) || k.startsWith("GLOBAL_AGENT_")) continue;
    env[k] = v;
  }
  return {
    ...env,
    npm_config_proxy: CLOSED,
    npm_config_https_proxy: CLOSED,
    GLOBAL_AGENT_HTTP_PROXY: CLOSED,
    GLOBAL_AGENT_HTTPS_PROXY: CLOSED,
    npm_config_update_notifier: "false",
    NO_COLOR: "1",
  };
}

function sh(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: userEnv(), encoding: "utf8", timeout: 240_000 });
}

const out = (r: SpawnSyncReturns<string>) => `${r.stdout}${r.stderr}`;

/** package-lock.json for a project depending on the tarball: netc's own lock, its non-dev entries. */
function lockFor(tarball: string, name: string): string {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, Record<string, unknown>> };
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<string, unknown>;
  const integrity = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    "": { name, version: "1.0.0", dependencies: { netc: spec } },
    "node_modules/netc": {
      version: pkg.version,
      resolved: spec,
      integrity,
      license: pkg.license,
      dependencies: pkg.dependencies,
      optionalDependencies: pkg.optionalDependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (!key.startsWith("node_modules/") || entry.dev === true) continue;
    const e = { ...entry };
    // Needed by netc's optional dependencies (and by dev ones): optional here.
    if (e.devOptional === true) {
      delete e.devOptional;
      e.optional = true;
    }
    packages[key] = e;
  }
  return `${JSON.stringify({ name, version: "1.0.0", lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
}

const SPEC = "network Tiny(classes = 10) {\n  input x 1x12x12\n  conv 3x3 4 pad=1 relu\n  flatten\n  dense classes\n}\n";

describe.runIf(built)("netc packed and installed into a fresh project, offline", () => {
  let dir = "";
  let app = "";
  let install: SpawnSyncReturns<string> | undefined;
  let notCached = false;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "netc-packed-"));
    const pack = sh("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], root);
    expect(pack.status, out(pack)).toBe(0);
    const tarball = join(dir, readdirSync(dir).find((f) => f.endsWith(".tgz"))!);
    // A CommonJS project, as `npm init` writes one, with no .npmrc.
    app = join(dir, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "app", version: "1.0.0", private: true, type: "commonjs", dependencies: { netc: `file:${tarball}` } }, null, 2)}\n`);
    writeFileSync(join(app, "package-lock.json"), lockFor(tarball, "app"));
    install = sh("npm", ["ci", "--offline", "--no-audit", "--no-fund"], app);
    notCached = install.status !== 0 && /ENOTCACHED/.test(out(install));
    if (notCached && process.env.NETC_REQUIRE_ALL === "1") throw new Error(`NETC_REQUIRE_ALL is set but npm's cache lacks netc's dependencies (run npm ci):\n${out(install)}`);
    if (notCached) console.warn("skipping the packed install: npm's cache lacks netc's dependencies (run `npm ci` in this checkout once)");
    // An ES-module project beside it, using the same node_modules (Node looks upwards).
    mkdirSync(join(app, "esm"));
    writeFileSync(join(app, "esm", "package.json"), `${JSON.stringify({ name: "esm-app", version: "1.0.0", private: true, type: "module" }, null, 2)}\n`);
    writeFileSync(join(app, "tiny.net"), SPEC);
    writeIdxFixture(join(app, "data"), { count: 32, size: 12, classes: 10 });
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("installs offline without a .npmrc, with no unknown-config warning", (ctx) => {
    if (notCached) ctx.skip();
    expect(install!.status, out(install!)).toBe(0);
    expect(out(install!)).not.toMatch(/Unknown project config/);
    expect(existsSync(join(app, ".npmrc"))).toBe(false);
    expect(existsSync(join(app, "node_modules", ".bin", "netc"))).toBe(true);
  });

  it("npx netc in this checkout prints no npm warning either (its .npmrc holds only keys npm knows)", () => {
    const r = sh("npx", ["--offline", "netc", "--version"], root);
    expect(r.status, out(r)).toBe(0);
    expect(r.stderr).not.toMatch(/Unknown project config|npm warn/);
    expect(readFileSync(join(root, ".npmrc"), "utf8")).not.toMatch(/onnxruntime/);
  });

  it("npx netc compiles to ONNX; infer runs, or names the missing onnxruntime-node", (ctx) => {
    if (notCached) ctx.skip();
    const r = sh("npx", ["--offline", "netc", "compile", "tiny.net", "--target", "onnx", "-o", "tiny.onnx"], app);
    expect(r.status, out(r)).toBe(0);
    expect(out(r)).not.toMatch(/Unknown project config|npm warn/);
    expect(readFileSync(join(app, "tiny.onnx")).length).toBeGreaterThan(1000);
    const infer = sh("npx", ["--offline", "netc", "infer", "tiny.onnx", "--runs", "1", "--json"], app);
    if (existsSync(join(app, "node_modules", "onnxruntime-node"))) {
      expect(infer.status, out(infer)).toBe(0);
    } else {
      expect(infer.status).toBe(2);
      expect(infer.stderr).toContain("onnxruntime-node is not installed");
      expect(infer.stderr).toContain("ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node");
    }
  }, 120_000);

  it.for([
    ["CommonJS", "gen"],
    ["ES-module", "esm/gen"],
  ] as const)("--js output trains for an epoch in a %s project", ([, gen], ctx) => {
    if (notCached) ctx.skip();
    const c = sh("npx", ["--offline", "netc", "compile", "tiny.net", "--target", "tfjs", "--js", "--out", gen], app);
    expect(c.status, out(c)).toBe(0);
    expect(JSON.parse(readFileSync(join(app, gen, "package.json"), "utf8"))).toEqual({ type: "module" });
    const help = sh(process.execPath, [join(gen, "train.js"), "--help"], app);
    expect(help.status, out(help)).toBe(0);
    expect(help.stdout).toMatch(/^usage: train /);
    const train = sh(process.execPath, [join(gen, "train.js"), "--data", "data", "--epochs", "1", "--batch-size", "8", "--limit", "16", "--quiet"], app);
    expect(train.status, out(train)).toBe(0);
    expect(out(train)).not.toMatch(/Cannot use import statement|MODULE_TYPELESS/);
  }, 180_000);
});
