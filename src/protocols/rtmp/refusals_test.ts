import assert from "node:assert/strict";
import {
  AppNotAllowedError,
  AuthError,
  BadNameError,
  ConfigError,
  NotFoundError,
  ProtocolError,
  StreamBusyError,
} from "../../core/errors.ts";
import { rtmpRefusal, type RtmpStep } from "./refusals.ts";

Deno.test("rtmpRefusal: each core error at connect, publish and play", () => {
  const cases: [Error, Record<RtmpStep, string | null>][] = [
    [new AuthError("denied"), {
      connect: "NetConnection.Connect.Rejected",
      publish: "NetStream.Publish.Unauthorized",
      play: "NetStream.Play.Failed",
    }],
    [new StreamBusyError("live/a"), {
      connect: "NetConnection.Connect.Rejected",
      publish: "NetStream.Publish.BadName",
      play: "NetStream.Play.Failed",
    }],
    [new NotFoundError("no live/a"), {
      connect: "NetConnection.Connect.Rejected",
      publish: "NetStream.Publish.BadName",
      play: "NetStream.Play.StreamNotFound",
    }],
    [new AppNotAllowedError("x", ["live"]), {
      connect: "NetConnection.Connect.Rejected",
      publish: "NetStream.Publish.BadName",
      play: "NetStream.Play.Failed",
    }],
    [new BadNameError("..", "no dots"), {
      connect: "NetConnection.Connect.Rejected",
      publish: "NetStream.Publish.BadName",
      play: "NetStream.Play.Failed",
    }],
    [new ProtocolError("bad"), { connect: null, publish: null, play: null }],
    [new ConfigError("bad"), { connect: null, publish: null, play: null }],
    [new Error("a bug"), { connect: null, publish: null, play: null }],
  ];
  for (const [err, want] of cases) {
    for (const step of ["connect", "publish", "play"] as const) {
      assert.equal(rtmpRefusal(err, step), want[step], `${err.name} at ${step}`);
    }
  }
});
