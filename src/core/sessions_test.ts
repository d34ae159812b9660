import assert from "node:assert/strict";
import { type SessionInfo, SessionRegistry } from "./sessions.ts";

Deno.test("SessionRegistry: add, list live views, kick closes, remove is idempotent and exact", () => {
  const reg = new SessionRegistry();
  let bytes = 0;
  const closed: string[] = [];
  const info = (id: string): SessionInfo => ({
    id,
    protocol: "rtmp",
    role: "player",
    remote: "127.0.0.1:1",
    stream: "live/a",
    startedAt: 1,
    bytesIn: 0,
    bytesOut: bytes,
  });
  const remove = reg.add({ info: () => info("rtmp#1"), close: (r) => closed.push(`1:${r}`) });
  reg.add({ info: () => info("rtmp#2"), close: (r) => closed.push(`2:${r}`) });
  bytes = 500;
  assert.deepEqual(reg.list().map((s) => [s.id, s.bytesOut]), [["rtmp#1", 500], ["rtmp#2", 500]]);
  assert.equal(reg.kick("rtmp#2", "kicked"), true);
  assert.deepEqual(closed, ["2:kicked"]);
  assert.equal(reg.kick("nope", "x"), false);
  remove();
  remove();
  assert.deepEqual(reg.list().map((s) => s.id), ["rtmp#2"]);
});
