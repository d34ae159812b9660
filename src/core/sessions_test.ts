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

Deno.test("SessionRegistry.onEnd: each session's end is heard once, with its last view", () => {
  const r = new SessionRegistry();
  const ended: string[] = [];
  const off = r.onEnd((i) => ended.push(`${i.id} ${i.role} ${i.stream} ${i.bytesOut}`));
  let bytesOut = 0;
  const remove = r.add({
    info: () => ({
      id: "rtmp#1",
      protocol: "rtmp",
      role: "player",
      remote: "a:1",
      stream: "live/a",
      startedAt: 0,
      bytesIn: 0,
      bytesOut,
    }),
    close() {},
  });
  bytesOut = 4096;
  remove();
  remove();
  assert.deepEqual(ended, ["rtmp#1 player live/a 4096"]);
  off();
  r.add({
    info: () => ({
      id: "x",
      protocol: "srt",
      role: "idle",
      remote: "",
      startedAt: 0,
      bytesIn: 0,
      bytesOut: 0,
    }),
    close() {},
  })();
  assert.equal(ended.length, 1, "no listener after off");
});
