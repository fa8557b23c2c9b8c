import { renderTable, summaryJson } from "../../summary/table.js";
import { loadGraph } from "../load.js";
import { terminalSafe } from "../report.js";

export async function run(args: { file: string; json: boolean; all: boolean; maxErrors?: number }): Promise<number> {
  const loaded = loadGraph(args.file, args.maxErrors);
  if (typeof loaded === "number") return loaded;
  const { graph } = loaded;
  process.stdout.write(args.json ? `${JSON.stringify(summaryJson(graph), null, 2)}\n` : `${terminalSafe(renderTable(graph, args.all))}\n`);
  return 0;
}
