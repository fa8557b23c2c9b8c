// Every test writes its temporary files under one folder, removed after the run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "netc-test-"));
  // Workers start after global setup and inherit this; os.tmpdir() reads TMPDIR.
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
