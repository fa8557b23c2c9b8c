import pc from "picocolors";

/** Colour only on a TTY, and never when NO_COLOR is set (https://no-color.org). */
export function colorsFor(stream: NodeJS.WriteStream) {
  const enabled = !process.env.NO_COLOR && (!!process.env.FORCE_COLOR || (stream.isTTY === true && process.env.TERM !== "dumb"));
  return pc.createColors(enabled);
}
