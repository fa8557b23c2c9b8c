/**
 * The default of a switch that must handle every case: the call only
 * type-checks when `x` has been narrowed to never, so a new case that is not
 * handled is a compile error. Reaching it at run time is a bug.
 */
export function assertNever(x: never): never {
  throw new Error(`netc: unhandled case ${JSON.stringify(x)}`);
}
