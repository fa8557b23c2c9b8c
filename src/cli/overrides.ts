// `--set name=value` (repeatable) and `--input CxHxW`: what a command changes in
// the spec it checks (src/check/elaborate.ts applies them). A malformed flag is
// a usage error here; a name the network does not have is the checker's NET2080.

import type { Overrides } from "../check/index.js";

export interface OverrideFlags {
  set?: string[];
  input?: string;
}

/** The overrides, or a message saying what is wrong with a flag. */
export function parseOverrides(flags: OverrideFlags): Overrides | string {
  const out: Overrides = {};
  for (const item of flags.set ?? []) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(item);
    if (!m) return `--set ${item}: expected name=value, e.g. --set classes=10`;
    const [, name, text] = m;
    const value = Number(text);
    if (text!.trim() === "" || !Number.isFinite(value)) return `--set ${item}: expected a number for '${name}', but found '${text}'`;
    (out.params ??= {})[name!] = value;
  }
  if (flags.input !== undefined) {
    const dims = flags.input.split(/[x,]/).map((d) => d.trim());
    if (!dims.every((d) => /^[1-9]\d*$/.test(d)) || (dims.length !== 3 && dims.length !== 1))
      return `--input ${flags.input}: expected CxHxW (e.g. 3x320x320) or a feature count, in whole numbers from 1`;
    out.input = dims.map(Number);
  }
  return out;
}

/** The options every command that checks a spec takes. */
export const overrideOptions = {
  set: ["--set <name=value>", "replace a network parameter's default (repeatable), e.g. --set classes=10"] as const,
  input: ["--input <shape>", "replace the spec's input shape, CxHxW (e.g. 3x320x320)"] as const,
};

/** Commander's collector for a repeatable option. */
export const collect = (v: string, list: string[] = []): string[] => [...list, v];
