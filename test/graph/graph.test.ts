// `netc graph`: the picture's model against the IR (groups, labels, shapes,
// shares, `from` taps), the committed README image against the command's output
// now, Graphviz reading the dot text, and hostile names staying text.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { checkText } from "../../src/check/index.js";
import { diskHost } from "../../src/check/program.js";
import { buildPicture, collapsedAtDepth, renderDot, tapsOf, type Picture } from "../../src/graph/index.js";
import { netc, root, tmp } from "../cli/helpers.js";
import { needGraphviz, runs } from "../requirements.js";

function picture(spec: string, color: "macs" | "params" = "macs"): { pic: Picture; graph: NonNullable<ReturnType<typeof checkText>["graph"]> } {
  const r = checkText(undefined, resolve(root, spec), diskHost);
  expect(r.graph).toBeDefined();
  return { pic: buildPicture(r.graph!, color, tapsOf(r.resolutions.uses)), graph: r.graph! };
}
const groupAt = (pic: Picture, path: string) => Object.entries(pic.groups).find(([, g]) => g.path === path);

describe("the picture of GoogLeNet", () => {
  const { pic, graph } = picture("specs/googlenet.net");

  it("has every IR node once and every IR edge", () => {
    const placed: string[] = [];
    const walk = (id: string): void => void (pic.groups[id] ? pic.groups[id]!.children.forEach(walk) : placed.push(id));
    pic.root.forEach(walk);
    expect(placed.sort()).toEqual(graph.nodes.map((n) => `n${n.id}`).sort());
    expect(pic.edges.length).toBe(graph.nodes.reduce((s, n) => s + n.inputs.length, 0));
  });

  it("draws each Inception block as a group with its branches side by side and the concat that joins them", () => {
    const [id, g] = groupAt(pic, "inception3a")!;
    expect(g).toMatchObject({ kind: "Inception", shape: "256x28x28", depth: 1, aux: false });
    // The paper's Table 1 row for 3(a): 1x1 64; 3x3 reduce 96, 3x3 128; 5x5 reduce 16, 5x5 32; pool proj 32.
    const labels = g.children.map((c) => pic.groups[c]?.label ?? pic.nodes[c]!.label);
    expect(labels).toEqual(["b1/conv1", "b2", "b3", "b4", "concat"]);
    expect(pic.nodes[g.children[0]!]).toMatchObject({ op: "conv 1x1/1 relu", shape: "64x28x28" });
    const b3 = pic.groups[g.children[2]!]!;
    expect(b3.children.map((c) => `${pic.nodes[c]!.op} ${pic.nodes[c]!.shape}`)).toEqual(["conv 1x1/1 relu 16x28x28", "conv 5x5/1 relu 32x28x28"]);
    expect(pic.nodes[g.children[4]!]!.shape).toBe("256x28x28");
    expect(id).toMatch(/^g\d+$/);
  });

  it("nests the stem's seq inside the stem section", () => {
    const [, stem] = groupAt(pic, "stem")!;
    const [seqId, seq] = groupAt(pic, "stem/conv2")!;
    expect(stem.children).toContain(seqId);
    expect(seq).toMatchObject({ kind: "seq", label: "conv2", shape: "192x56x56", depth: 2 });
  });

  it("marks the aux heads and the `from` taps that feed them", () => {
    const [, aux1] = groupAt(pic, "aux1")!;
    expect(aux1).toMatchObject({ kind: "Aux", aux: true, shape: "1000" });
    const into = graph.nodes.find((n) => n.name === "aux1/avgpool1")!;
    const tap = pic.edges.find((e) => e.to === `n${into.id}`)!;
    expect(tap).toMatchObject({ tap: "inception4a", aux: true, from: `n${graph.nodes.find((n) => n.name === "inception4a")!.id}` });
    // Only the two aux heads' inputs are taps in GoogLeNet.
    expect(pic.edges.filter((e) => e.tap !== undefined).map((e) => e.tap)).toEqual(["inception4a", "inception4d"]);
  });

  it("totals what it colours by: MACs or parameters, aux heads included", () => {
    const auxMacs = graph.nodes.filter((n) => n.aux).reduce((s, n) => s + n.macs, 0);
    expect(pic.total).toBe(graph.macs + auxMacs);
    const byParams = picture("specs/googlenet.net", "params").pic;
    expect(byParams.total).toBe(graph.paramsWithAux);
    // A group's figures are the sums of its nodes'.
    const [, g] = groupAt(byParams, "inception4e")!;
    expect(g.params).toBe(graph.groups.find((x) => x.name === "inception4e" && x.kind === "Inception")!.params);
  });

  it("closes groups deeper than --depth", () => {
    const top = collapsedAtDepth(pic, 0);
    expect(top.map((id) => pic.groups[id]!.path)).toEqual(["stem", "inception3a", "inception3b", "inception4a", "inception4b", "inception4c", "inception4d", "inception4e", "inception5a", "inception5b", "aux1", "aux2", "head"]);
    expect(collapsedAtDepth(pic, undefined)).toEqual([]);
  });
});

describe("the picture of a main-graph tap", () => {
  it("marks the edge a `from` reads, and only that one", () => {
    const text = "network T {\n  input x 1x8x8\n  a = conv 3x3 4 pad=1\n  b = conv 3x3 6 pad=1\n  c = conv 1x1 2 from a\n  flatten\n  dense 3\n}\n";
    const r = checkText(text, join(root, "tap.net"), diskHost);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const pic = buildPicture(r.graph!, "macs", tapsOf(r.resolutions.uses));
    const id = (path: string) => `n${r.graph!.nodes.find((n) => n.name === path)!.id}`;
    expect(pic.edges.filter((e) => e.tap !== undefined)).toEqual([{ from: id("a"), to: id("c"), tap: "a", aux: false }]);
    // b feeds nothing: its output is unused, as the spec says.
    expect(pic.edges.some((e) => e.from === id("b"))).toBe(false);
  });
});

describe("netc graph", () => {
  it("draws the README's picture: docs/googlenet.svg is what the command writes now", () => {
    const r = netc(["graph", "specs/googlenet.net", "--format", "svg"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(root, "docs/googlenet.svg"), "utf8"));
    expect(r.stdout.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    // Every IR node is drawn once, with its output shape.
    expect(r.stdout.match(/data-node="/g)!.length).toBe(99);
    expect(r.stdout).toContain("<text x=\"");
    expect(r.stdout).toContain(">64x112x112</text>");
  });

  it("writes -o atomically, closes groups with --depth, colours by parameters", () => {
    const dir = tmp("netc-graph-");
    const out = join(dir, "g.svg");
    const r = netc(["graph", "specs/googlenet.net", "--depth", "0", "--color", "params", "-o", out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`wrote ${out}\n`);
    const svg = readFileSync(out, "utf8");
    expect(svg).toContain("share of parameters (total 13,378,280 parameters)");
    // The 13 top-level groups drawn closed, and nothing inside them.
    expect(svg.match(/class="node collapsed/g)!.length).toBe(13);
    expect(svg).not.toContain('class="group"');
  });

  it("reports a spec with errors as check does, and draws nothing", () => {
    const r = netc(["graph", "specs/broken/beginner-googlenet.net"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/error NET\d{4}/);
  });

  it("writes dot text that Graphviz lays out, one cluster per open group", () => {
    const dot = netc(["graph", "specs/googlenet.net", "--format", "dot"]);
    expect(dot.code).toBe(0);
    const { pic } = picture("specs/googlenet.net");
    expect(dot.stdout.match(/subgraph "cluster_/g)!.length).toBe(Object.keys(pic.groups).length);
    const gv = needGraphviz();
    if (!runs(gv, "Graphviz layout of netc graph --format dot")) return;
    const r = spawnSync(gv.path!, ["-Tsvg"], { input: dot.stdout, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.match(/class="cluster"/g)!.length).toBe(Object.keys(pic.groups).length);
  });

  it("keeps hostile names text in SVG, dot and HTML", () => {
    const dir = tmp("netc-graph-");
    const spec = join(dir, "evil.net");
    const name = '</script><script>alert(1)</script>"\\ & <b>';
    writeFileSync(spec, `network Evil {\n  input x 1x8x8\n  "${name.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}" = conv 3x3 4 pad=1\n  flatten\n  dense 2\n}\n`);
    const svg = netc(["graph", spec]);
    expect(svg.stderr).toBe("");
    expect(svg.code).toBe(0);
    expect(svg.stdout).not.toContain("<script");
    expect(svg.stdout).toContain("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;\\ &amp; &lt;b&gt;");
    const page = join(dir, "evil.html");
    expect(netc(["graph", spec, "--format", "html", "-o", page]).code).toBe(0);
    const html = readFileSync(page, "utf8");
    // The only script elements are the page's own three.
    expect(html.match(/<script>/g)!.length).toBe(3);
    expect(html.match(/<\/script>/gi)!.length).toBe(3);
    const dot = renderDot(picture(spec).pic, []);
    expect(dot).toContain('</script><script>alert(1)</script>\\"\\\\ & <b>');
    const gv = needGraphviz();
    if (!runs(gv, "Graphviz layout of netc graph --format dot")) return;
    const r = spawnSync(gv.path!, ["-Tsvg"], { input: dot, encoding: "utf8" });
    expect(r.status).toBe(0);
  });
});
