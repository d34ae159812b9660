import assert from "node:assert/strict";
import { RequestBody } from "./body.ts";
import { ConnReader } from "./conn_reader.ts";
import { HttpFrontError } from "./errors.ts";
import { fakeConn } from "./_fake_conn.ts";
import { CHUNKED_CASES } from "./chunked_cases.ts";

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

Deno.test("chunked: decoding and every limit", async () => {
  for (const c of CHUNKED_CASES) assert.equal(await decode(c.pieces, c.max), c.want, c.name);
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
