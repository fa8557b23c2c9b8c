// The formatter prints the conditional syntax canonically and idempotently.

import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { checkRoundTrip } from "./roundtrip.js";

describe("formatting conditionals", () => {
  test("operators keep their spaces and needed parentheses", () => {
    const out = checkRoundTrip(
      "network N {\n  conv 1x1 8 bias=not (a>b or c)  pad=a<=b\n  repeat (a < b) == c {}\n  conv 1x1 (a+1)<2\n}\n",
    );
    expect(out).toContain("conv 1x1 8 bias=not (a > b or c) pad=a <= b");
    expect(out).toContain("repeat (a < b) == c {}");
    expect(out).toContain("conv 1x1 a + 1 < 2\n");
  });
  test("one-line if stays on one line; multi-line if uses '} else {'", () => {
    const out = checkRoundTrip(
      "block B(s) <- cin {\n  add relu {\n    relu\n    if s != 1 or cin != 8 {  conv 1x1/s 8 bn } else { identity }\n  }\n" +
        "  if s == 1 { // keep\n    relu\n  }\n  else {\n    tanh\n    // end\n  } -> 8\n}\n",
    );
    expect(out).toContain("    if s != 1 or cin != 8 { conv 1x1/s 8 bn } else { identity }\n");
    expect(out).toContain("  if s == 1 {\n    // keep\n    relu\n  } else {\n    tanh\n    // end\n  } -> 8\n");
  });
  test("the zoo specs are formatted already", () => {
    for (const f of ["lib/resnet.net", "lib/mobilenet.net"]) checkRoundTrip(readFileSync(`specs/zoo/${f}`, "utf8"));
    // RegNet's trunk: log, pow and tuple functions in parameter defaults and an output annotation; already canonical.
    for (const f of ["lib/regnet.net", "regnet-y-400mf.net", "regnet-x-400mf.net"]) {
      const text = readFileSync(`specs/zoo/${f}`, "utf8");
      expect(checkRoundTrip(text), f).toBe(text);
    }
  });
});
