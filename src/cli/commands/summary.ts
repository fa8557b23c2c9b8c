import { renderTable, summaryJson } from "../../summary/table.js";
import { loadGraph } from "../load.js";

export async function run(args: { file: string; json: boolean; all: boolean; maxErrors?: number }): Promise<number> {
  const loaded = loadGraph(args.file, args.maxErrors);
  if (typeof loaded === "number") return loaded;
  const { graph } = loaded;
  process.stdout.write(args.json ? `${JSON.stringify(summaryJson(graph), null, 2)}\n` : `${renderTable(graph, args.all)}\n`);
  return 0;
}
