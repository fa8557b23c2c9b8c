// The escaping functions themselves, on the characters that matter to each target.
import { describe, expect, it } from "vitest";
import { onnxString } from "../../src/emit/onnx/strings.js";
import { commentText, docComment, lineComment, stringLiteral } from "../../src/emit/tfjs/escape.js";

describe("tfjs escaping", () => {
  it("string literals evaluate to the original text and hold no raw line terminator or tag", () => {
    for (const s of ["a\"b'c`d${e}", "\\", "\n\r\u2028\u2029\u0085", "\ud800x\udfff", "\0", "</script><!--", "🙂"]) {
      const lit = stringLiteral(s);
      expect(lit).not.toMatch(/[\n\r\u2028\u2029<>]/);
      expect(new Function(`return ${lit};`)()).toBe(s);
    }
  });

  it("comment text cannot end the comment or the line", () => {
    expect(commentText("x */ y /* z")).toBe("x *\\/ y /* z");
    expect(commentText("**/")).toBe("**\\/");
    expect(commentText("a\nb\rc\u2028d\u2029e\u0085f\u000bg")).toBe("a\\nb\\rc\\u{2028}d\\u{2029}e\\u{85}f\\u{b}g");
    expect(commentText("\ud800 \udfff 🙂")).toBe("\\u{d800} \\u{dfff} 🙂");
    expect(commentText("</script> <!-- x")).toBe("<\\/script> <\\!-- x");
    expect(lineComment("a\nb")).toBe("// a\\nb");
    expect(docComment(["x @type {T} */"])).toEqual(["/**", " * x \\@type {T} *\\/", " */"]);
  });
});

describe("ONNX strings", () => {
  it("replaces NUL and lone surrogates with U+FFFD and keeps pairs", () => {
    expect(onnxString("a\0b\ud800c\udfffd🙂")).toBe("a\ufffdb\ufffdc\ufffdd🙂");
    expect(onnxString("\udbff\udfff")).toBe("\udbff\udfff");
    const once = onnxString("\ud800\0\udc00");
    expect(once).toBe("\ufffd\ufffd\ufffd");
    expect(onnxString(once)).toBe(once);
  });
});
