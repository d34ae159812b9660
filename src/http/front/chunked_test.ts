import assert from "node:assert/strict";
import { RequestBody } from "./body.ts";
import { ConnReader } from "./conn_reader.ts";
import { HttpFrontError } from "./errors.ts";
import { fakeConn } from "./_fake_conn.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** Reads a chunked body given in `pieces` (split anywhere) under `maxBody`. */
async function decode(pieces: string[], maxBody = 1 << 20): Promise<string | number> {
  const errors: HttpFrontError[] = [];
  const body = new RequestBody(new ConnReader(fakeConn(pieces.map(enc))), { kind: "chunked" }, {
    maxBody,
    onError: (e) => errors.push(e),
  });
  let out = "";
  try {
    for (;;) {
      const p = await body.read();
      if (p === null) return out;
      out += new TextDecoder().decode(p);
    }
  } catch (err) {
    assert.equal(errors.length, 1, "onError runs once");
    assert.ok(err instanceof HttpFrontError);
    return err.status;
  }
}

const CASES: { name: string; pieces: string[]; max?: number; want: string | number }[] = [
  { name: "two chunks", pieces: ["5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"], want: "hello world" },
  { name: "split across reads", pieces: ["5\r", "\nhel", "lo\r\n0", "\r\n", "\r\n"], want: "hello" },
  { name: "extensions skipped", pieces: ["5;name=v\r\nhello\r\n0;x\r\n\r\n"], want: "hello" },
  { name: "trailers dropped", pieces: ["5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"], want: "hello" },
  { name: "upper-case hex", pieces: ["A\r\n0123456789\r\n0\r\n\r\n"], want: "0123456789" },
  { name: "empty body", pieces: ["0\r\n\r\n"], want: "" },
  { name: "over the limit", pieces: ["8\r\n01234567\r\n8\r\n01234567\r\n0\r\n\r\n"], max: 10, want: 413 },
  { name: "declared huge chunk over the limit", pieces: ["fffffff\r\n", "x".repeat(64)], max: 10, want: 413 },
  { name: "bad hex", pieces: ["z\r\nhello\r\n0\r\n\r\n"], want: 400 },
  { name: "negative size", pieces: ["-5\r\nhello\r\n0\r\n\r\n"], want: 400 },
  { name: "13 hex digits", pieces: ["1000000000000\r\n"], want: 400 },
  { name: "data longer than size", pieces: ["3\r\nhello\r\n0\r\n\r\n"], want: 400 },
  { name: "bare LF after size", pieces: ["5\nhello\r\n0\r\n\r\n"], want: 400 },
  { name: "endless size line", pieces: ["1" + ";".repeat(5000)], want: 400 },
  { name: "endless trailers", pieces: ["0\r\n", "X: y\r\n".repeat(3000)], want: 400 },
  { name: "ends before the last chunk", pieces: ["5\r\nhel"], want: 400 },
];

Deno.test("chunked: decoding and every limit", async () => {
  for (const c of CASES) assert.equal(await decode(c.pieces, c.max), c.want, c.name);
});

Deno.test("chunked: the body limit stops reading at once (the rest is never read)", async () => {
  let reads = 0;
  const conn = fakeConn([]);
  const big = enc("10000\r\n" + "x".repeat(0x10000) + "\r\n");
  // An endless stream of 64 KiB chunks.
  let off = 0;
  conn.read = (buf: Uint8Array) => {
    reads++;
    const n = Math.min(buf.length, big.length - off);
    buf.set(big.subarray(off, off + n));
    off = (off + n) % big.length;
    return Promise.resolve(n);
  };
  const body = new RequestBody(new ConnReader(conn), { kind: "chunked" }, {
    maxBody: 100_000,
    onError: () => {},
  });
  await assert.rejects(async () => {
    for (;;) if (await body.read() === null) break;
  }, (e: unknown) => e instanceof HttpFrontError && e.status === 413);
  assert.ok(reads < 20, `${reads} reads for a 100 kB limit`);
});

Deno.test("Content-Length body: exact length, early end is refused", async () => {
  const ok = new RequestBody(new ConnReader(fakeConn([enc("hel"), enc("loEXTRA")])), {
    kind: "length",
    length: 5,
  }, {
    maxBody: 100,
    onError: () => {},
  });
  const parts: string[] = [];
  for (let p = await ok.read(); p; p = await ok.read()) parts.push(new TextDecoder().decode(p));
  assert.equal(parts.join(""), "hello");
  const short = new RequestBody(new ConnReader(fakeConn([enc("hel")])), { kind: "length", length: 5 }, {
    maxBody: 100,
    onError: () => {},
  });
  await assert.rejects(async () => {
    while (await short.read());
  }, (e: unknown) => e instanceof HttpFrontError && e.status === 400);
});
