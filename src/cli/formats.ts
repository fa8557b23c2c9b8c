// Diagnostics for machines: one JSON object, GitHub Actions workflow commands
// (annotations on the pull request), or a SARIF 2.1.0 log (code scanning, IDE
// viewers). Text for people is in report.ts. Every format gets the same list,
// already limited by --max-errors, with 1-based lines and columns.

import { pathToFileURL } from "node:url";
import { isAbsolute } from "node:path";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { catalogue, type CatalogueEntry } from "../diagnostics/catalogue.js";
import { formatText, locate, moreLine, type Limited, type Located } from "./report.js";
import { version } from "./version.js";

import type { Format } from "./format-names.js";

export { FORMATS, type Format } from "./format-names.js";

type Texts = (file: string) => string | undefined;

/** The whole report in one format, ending with a newline (empty text when there is nothing to say). */
export function renderDiagnostics(format: Format, limited: Limited, total: number, texts: Texts, stream: NodeJS.WriteStream): string {
  const located = limited.shown.map((d) => locate(d, texts));
  switch (format) {
    case "json":
      return `${JSON.stringify({ errors: limited.errors, warnings: limited.warnings, total, shown: limited.shown.length, diagnostics: located }, null, 2)}\n`;
    case "github-actions":
      return located.map((l) => `${githubCommand(l)}\n`).join("");
    case "sarif":
      return `${JSON.stringify(sarifLog(located), null, 2)}\n`;
    case "text": {
      const lines = limited.shown.map((d) => formatText(d, texts, stream));
      const more = moreLine(limited);
      if (more) lines.push(more);
      return lines.map((l) => `${l}\n`).join("");
    }
  }
}

// ---- GitHub Actions ----

/** Message text of a workflow command: %, CR and LF escaped (GitHub's toolkit, escapeData). */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A property value: also `:` and `,`, which end a value (GitHub's toolkit, escapeProperty). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

const GITHUB_LEVEL = { error: "error", warning: "warning", info: "notice" } as Record<string, string>;

/** `::error file=F,line=L,col=C,endLine=..,endColumn=..,title=NET3001::message`; related notes on further lines of the message. */
export function githubCommand(l: Located): string {
  const props: [string, string | number | null][] = [
    ["file", l.file],
    ["line", l.line],
    ["col", l.column],
    ["endLine", l.endLine],
    ["endColumn", l.endColumn],
    ["title", l.code],
  ];
  const notes = l.related.map((r) => `\nnote: ${r.line === null ? r.file : `${r.file}:${r.line}:${r.column}`}: ${r.message}`);
  const head = props
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(",");
  return `::${GITHUB_LEVEL[l.severity] ?? "error"} ${head}::${escapeData(l.message + notes.join(""))}`;
}

// ---- SARIF 2.1.0 ----

const SARIF_LEVEL = { error: "error", warning: "warning", info: "note" } as Record<string, string>;

/** A path as a SARIF uri: relative to %SRCROOT% (the working directory) where it can be, a file: URL where not. */
function artifact(file: string): { uri: string; uriBaseId?: string } {
  if (isAbsolute(file)) return { uri: pathToFileURL(file).href };
  return { uri: file.split(/[\\/]/).map(encodeURIComponent).join("/"), uriBaseId: "SRCROOT" };
}

interface Region {
  startLine: number;
  startColumn: number;
  endLine?: number;
  endColumn?: number;
}

function physical(file: string, line: number | null, column: number | null, endLine?: number | null, endColumn?: number | null) {
  const region: Region | undefined =
    line === null || column === null ? undefined : { startLine: line, startColumn: column, ...(endLine != null && endColumn != null ? { endLine, endColumn } : {}) };
  return { physicalLocation: { artifactLocation: artifact(file), ...(region ? { region } : {}) } };
}

/** Every live code of the catalogue, so a viewer can explain any result. */
export function sarifRules(): { id: string; shortDescription: { text: string }; defaultConfiguration: { level: string } }[] {
  return Object.entries(catalogue as Record<string, CatalogueEntry>)
    .filter(([, e]) => !e.retired)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, e]) => ({ id, shortDescription: { text: e.message }, defaultConfiguration: { level: SARIF_LEVEL[e.severity] ?? "error" } }));
}

export function sarifLog(located: Located[]) {
  const rules = sarifRules();
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "netc", version, rules } },
        originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(`${process.cwd()}/`).href } },
        columnKind: "utf16CodeUnits",
        results: located.map((l) => ({
          ruleId: l.code,
          ...(index.has(l.code) ? { ruleIndex: index.get(l.code) } : {}),
          level: SARIF_LEVEL[l.severity] ?? "error",
          message: { text: l.message },
          locations: [physical(l.file, l.line, l.column, l.endLine, l.endColumn)],
          ...(l.related.length
            ? { relatedLocations: l.related.map((r, id) => ({ id, ...physical(r.file, r.line, r.column, r.endLine, r.endColumn), message: { text: r.message } })) }
            : {}),
        })),
      },
    ],
  };
}

/** Diagnostics of a command whose own output goes to stdout: text and JSON to stderr, GitHub commands to stdout (the runner reads them there). */
export function diagnosticStream(format: Format): NodeJS.WriteStream {
  return format === "github-actions" ? process.stdout : process.stderr;
}

export type { Diagnostic };
