export { formatSource } from "./format.js";
