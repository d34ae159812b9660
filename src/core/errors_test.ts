import assert from "node:assert/strict";
import {
  AppNotAllowedError,
  AuthError,
  BadNameError,
  ConfigError,
  type ErrorCode,
  errorCode,
  EstuaryError,
  ForwardLoopError,
  NotFoundError,
  ProtocolError,
  StreamBusyError,
} from "./errors.ts";

Deno.test("errorCode: each core error has its code; anything else has none", () => {
  const cases: [unknown, ErrorCode | undefined][] = [
    [new AuthError("denied"), "auth_denied"],
    [new StreamBusyError("live/a"), "stream_busy"],
    [new NotFoundError("no live/a"), "not_found"],
    [new AppNotAllowedError("x", ["live"]), "app_not_allowed"],
    [new BadNameError("..", "no dots"), "bad_name"],
    [new ForwardLoopError("live/a", "it names this server"), "forward_loop"],
    [new ProtocolError("bad chunk"), "protocol"],
    [new ConfigError("bad port"), "config"],
    [new EstuaryError("srt_bad_secret", "wrong passphrase"), undefined],
    [new Error("boom"), undefined],
    ["text", undefined],
  ];
  for (const [err, want] of cases) assert.equal(errorCode(err), want, String(err));
});
