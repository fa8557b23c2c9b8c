// `netc graph --format html` in a real headless browser (Debian's chromium, one
// launch): the page renders offline, groups close and open on click (laid out
// again by the elkjs it carries), and a screenshot is kept as an artefact under
// tmp/graph/ (git-ignored). The README's SVG renders in the same browser.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { netc, root } from "../cli/helpers.js";
import { needChromium, runs } from "../requirements.js";
import { Browser, type Page } from "./browser.js";

const chromium = needChromium();
const ARTEFACTS = join(root, "tmp/graph");

describe.runIf(runs(chromium, "the netc graph page in chromium"))("the graph page in chromium", () => {
  let browser: Browser;
  let page: Page;
  const html = join(ARTEFACTS, "googlenet.html");

  beforeAll(async () => {
    mkdirSync(ARTEFACTS, { recursive: true });
    const r = netc(["graph", "specs/googlenet.net", "--format", "html", "-o", html]);
    expect(r.code).toBe(0);
    browser = new Browser(chromium.path!);
    page = await browser.open(pathToFileURL(html).href);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  const count = (selector: string) => page.eval<number>(`document.querySelectorAll(${JSON.stringify(selector)}).length`);
  const idOf = (path: string) => page.eval<string>(`Object.keys(NETC_PICTURE.picture.groups).find((id) => NETC_PICTURE.picture.groups[id].path === ${JSON.stringify(path)})`);
  const click = (selector: string) =>
    page.eval<boolean>(`(() => { const e = document.querySelector(${JSON.stringify(selector)}); if (!e) return false; e.dispatchEvent(new MouseEvent("click", { bubbles: true })); return true; })()`);

  it("renders every layer with its shape, without a network", async () => {
    await page.waitFor("document.body.dataset.state === 'ready'");
    expect(await count("#view svg [data-node]")).toBe(99);
    expect(await count("#view svg .group")).toBe(41);
    expect(await page.eval<boolean>("typeof ELK === 'function'")).toBe(true);
    // Drawn boxes have a size: the SVG is laid out, not empty.
    expect(await page.eval<number>("document.querySelector('#view svg').getBBox().height")).toBeGreaterThan(3000);
    expect(await page.eval<string>("document.querySelector('[data-node=\"n1\"]').textContent")).toContain("64x112x112");
  });

  it("closes a group on a click on its title and opens it on a click on the closed box", async () => {
    const id = await idOf("inception3a");
    expect(await click(`.group[data-group="${id}"] .title`)).toBe(true);
    await page.waitFor(`document.body.dataset.state === 'ready' && document.body.dataset.collapsed === ${JSON.stringify(id)}`);
    expect(await count(`.node.collapsed[data-group="${id}"]`)).toBe(1);
    expect(await count(`.group[data-group="${id}"]`)).toBe(0);
    // Its 8 nodes are gone; the closed box shows the block's output shape.
    expect(await count("#view svg [data-node]")).toBe(91);
    expect(await page.eval<string>(`document.querySelector('.node.collapsed[data-group="${id}"]').textContent`)).toContain("256x28x28");

    expect(await click(`.node.collapsed[data-group="${id}"]`)).toBe(true);
    await page.waitFor("document.body.dataset.state === 'ready' && document.body.dataset.collapsed === ''");
    expect(await count(`.group[data-group="${id}"]`)).toBe(1);
    expect(await count("#view svg [data-node]")).toBe(99);
  });

  it("closes and opens every block with the buttons, and keeps a screenshot", async () => {
    expect(await click("#collapse")).toBe(true);
    await page.waitFor("document.body.dataset.state === 'ready' && document.body.dataset.collapsed.split(',').length === 13");
    expect(await count("#view svg .node.collapsed")).toBe(13);
    expect(await count("#view svg .group")).toBe(0);
    const closed = await page.screenshot();
    writeFileSync(join(ARTEFACTS, "googlenet-closed.png"), closed);

    expect(await click("#expand")).toBe(true);
    await page.waitFor("document.body.dataset.state === 'ready' && document.body.dataset.collapsed === ''");
    expect(await count("#view svg [data-node]")).toBe(99);
    const png = await page.screenshot();
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(png.length).toBeGreaterThan(50_000);
    const shot = join(ARTEFACTS, "googlenet.png");
    writeFileSync(shot, png);
    console.log(`netc graph screenshots: ${shot} and ${join(ARTEFACTS, "googlenet-closed.png")}`);
  });

  it("renders the README's docs/googlenet.svg", async () => {
    const svg = await browser.open(pathToFileURL(join(root, "docs/googlenet.svg")).href);
    expect(await svg.eval<string>("document.documentElement.localName")).toBe("svg");
    expect(await svg.eval<number>("document.getElementsByTagName('parsererror').length")).toBe(0);
    expect(await svg.eval<number>("document.querySelectorAll('[data-node]').length")).toBe(99);
    expect(await svg.eval<number>("document.documentElement.getBBox().height")).toBeGreaterThan(3000);
  });
});
