// `netc graph`: the network as people draw it (model.ts), laid out by elkjs and drawn (draw.ts, render.ts).
export { buildPicture, collapsedAtDepth, tapsOf, type ColorBy, type Picture, type Tap } from "./model.js";
export { GRAPH_FORMATS, renderDot, renderHtml, renderSvg, type GraphFormat } from "./render.js";
