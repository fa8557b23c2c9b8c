export { formatSource, MAX_WIDTH } from "./format.js";
