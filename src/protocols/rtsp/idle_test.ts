import assert from "node:assert/strict";
import { idleReason, type IdleState } from "./idle.ts";

const base: IdleState = {
  now: 100_000,
  headerTimeoutMs: 10_000,
  partialSince: undefined,
  maxIdleMs: 12_000,
  lastRequest: 99_000,
  session: undefined,
};
const play = (o: { lower: "tcp" | "udp"; playing: boolean; lastActivity: number }) =>
  ({ mode: "play", ...o }) as unknown as IdleState["session"];
const record = (o: { recording: boolean; lastPacketAt: number }) =>
  ({ mode: "record", ...o }) as unknown as IdleState["session"];

Deno.test("idleReason: header deadline, idle connection, silent recording, dead UDP or paused player", () => {
  const cases: [string, Partial<IdleState>, string | undefined][] = [
    ["fresh", {}, undefined],
    ["half a request for 11 s", { partialSince: 89_000 }, "no complete request within 10000 ms"],
    ["half a request, no header deadline", { partialSince: 0, headerTimeoutMs: 0 }, undefined],
    ["no request for 13 s", { lastRequest: 87_000 }, "idle for more than 12000 ms"],
    ["no idle limit", { lastRequest: 0, maxIdleMs: 0 }, undefined],
    ["recording without media", {
      session: record({ recording: true, lastPacketAt: 80_000 }),
    }, "no media for more than 12000 ms"],
    ["recording with media", { session: record({ recording: true, lastPacketAt: 99_900 }) }, undefined],
    ["announced, not recording yet", {
      lastRequest: 80_000,
      session: record({ recording: false, lastPacketAt: 0 }),
    }, "no media for more than 12000 ms"],
    ["UDP player without RTCP", {
      session: play({ lower: "udp", playing: true, lastActivity: 80_000 }),
    }, "session timed out after 12000 ms"],
    ["TCP player being fed", { session: play({ lower: "tcp", playing: true, lastActivity: 0 }) }, undefined],
    ["paused TCP player", {
      session: play({ lower: "tcp", playing: false, lastActivity: 80_000 }),
    }, "session timed out after 12000 ms"],
  ];
  for (const [name, over, want] of cases) assert.equal(idleReason({ ...base, ...over }), want, name);
});
