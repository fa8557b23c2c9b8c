// The framing reader on hostile byte streams: every valid message after the
// damage is still delivered, whatever the chunking.

import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { FramedMessageReader } from "../../src/lsp/framing.js";

const frame = (body: string, header = `Content-Length: ${Buffer.byteLength(body)}`) => `${header}\r\n\r\n${body}`;
const msg = (id: number) => JSON.stringify({ jsonrpc: "2.0", id, method: "textDocument/hover", params: { text: "Content-Length: 3\\r\\n" } });

/** Feeds `bytes` in chunks cut by a seeded generator; returns the ids delivered and the log. */
function read(bytes: Buffer, seed: number, maxBody?: number): { ids: number[]; log: string[] } {
  const ids: number[] = [];
  const log: string[] = [];
  const reader = new FramedMessageReader(new PassThrough(), { log: (m) => log.push(m), maxBodyBytes: maxBody });
  reader.listen((m) => ids.push((m as { id: number }).id));
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff), s);
  for (let i = 0; i < bytes.length; ) {
    const n = seed === 0 ? bytes.length : 1 + (rand() % 40);
    reader.onData(bytes.subarray(i, i + n));
    i += n;
  }
  return { ids, log };
}

const cases: [string, string, number[]][] = [
  ["well-formed messages", frame(msg(1)) + frame(msg(2)), [1, 2]],
  ["a header without Content-Length", frame(msg(1), "Content-Type: application/vscode-jsonrpc") + frame(msg(2)), [2]],
  ["a non-numeric Content-Length", frame(msg(1), "Content-Length: ten") + frame(msg(2)), [2]],
  ["garbage bytes before a message", "\u0000\u0001garbage\r\nmore garbage" + frame(msg(2)), [2]],
  ["an invalid JSON body", frame("{not json}") + frame(msg(2)), [2]],
  ["a JSON body that is not JSON-RPC", frame("[1,2]") + frame(msg(2)), [2]],
  ["a body cut short, then a new header", `Content-Length: 500\r\n\r\n{"jsonrpc":"2.0","id":1,` + frame(msg(2)) + frame(msg(3)), [2, 3]],
  ["blank lines between messages", frame(msg(1)) + "\r\n\r\n" + frame(msg(2)), [1, 2]],
  ["a lower-case header and a utf-8 content type", frame(msg(1), `content-length: ${msg(1).length}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8`), [1]],
  ["a foreign charset", frame(msg(1), `Content-Length: ${msg(1).length}\r\nContent-Type: text/plain; charset=latin1`) + frame(msg(2)), [2]],
  ["a header line that never ends", "X-Junk: " + "a".repeat(20_000) + frame(msg(2)), [2]],
];

describe("framing", () => {
  for (const [name, stream, expected] of cases) {
    it(`delivers what follows ${name}`, () => {
      for (const seed of [0, 1, 7, 42]) {
        const { ids, log } = read(Buffer.from(stream, "utf8"), seed);
        expect(ids, `seed ${seed}`).toEqual(expected);
        if (expected.length < 2 && !name.includes("lower-case")) expect(log.length).toBeGreaterThan(0);
      }
    });
  }

  it("skips a body larger than the cap without buffering it, then reads on", () => {
    const big = frame("x".repeat(100_000));
    for (const seed of [0, 3]) {
      const { ids, log } = read(Buffer.from(big + frame(msg(2))), seed, 1000);
      expect(ids).toEqual([2]);
      expect(log.join("\n")).toMatch(/100000 bytes \(more than 1000\) is skipped/);
    }
  });

  it("takes a 10 GB Content-Length in its stride: the next header ends the skip", () => {
    const { ids, log } = read(Buffer.from(frame(msg(1), "Content-Length: 10000000000") + frame(msg(2))), 0);
    expect(ids).toEqual([2]);
    expect(log.join("\n")).toMatch(/10000000000 bytes .* is skipped/);
  });

  it("keeps logging bounded under a flood of garbage", () => {
    const { ids, log } = read(Buffer.from("x\r\n\r\n".repeat(100_000) + frame(msg(2))), 0);
    expect(ids).toEqual([2]);
    expect(log.length).toBeLessThan(200);
  });

  it("delivers a valid message after any seeded garbage, however it is chunked", () => {
    const pieces = ["Content-Length: ", "content-length:", "Content-Type: x", "12", "5", "99999999999", "\r\n", "\r\n\r\n", "{", "}", '"', "x", ":", " ", msg(7), "\u0000", "\u00ff", "Content-Length: 5\r\n\r\n", "Content-Length: 40\r\n\r\n", "Content-Len"];
    let s = 12345;
    const rand = (n: number) => ((s = (s * 1103515245 + 12345) & 0x7fffffff), s % n);
    for (let round = 0; round < 300; round++) {
      let garbage = "";
      for (let i = rand(30); i > 0; i--) garbage += pieces[rand(pieces.length)];
      const { ids } = read(Buffer.from(garbage + frame(msg(999)), "latin1"), 1 + rand(1000));
      expect(ids.at(-1), JSON.stringify(garbage)).toBe(999);
    }
  });
});
