import assert from "node:assert/strict";
import {
  AppNotAllowedError,
  AuthError,
  BadNameError,
  ConfigError,
  NotFoundError,
  ProtocolError,
  StreamBusyError,
} from "../../core/mod.ts";
import { RejectReason } from "./handshake.ts";
import { rejectionFor } from "./refusals.ts";

Deno.test("hub admission errors map to libsrt access-control rejections", () => {
  const cases: [unknown, number][] = [
    [new StreamBusyError("live/a"), RejectReason.Conflict],
    [new NotFoundError("no"), RejectReason.NotFound],
    [new AuthError("denied"), RejectReason.Forbidden],
    [new AppNotAllowedError("x", ["live"]), RejectReason.Forbidden],
    [new BadNameError("a b", "no spaces"), RejectReason.BadRequest],
    [new ProtocolError("bad stream id"), RejectReason.BadRequest],
    [new ConfigError("bad"), RejectReason.ServerError],
    [new Error("boom"), RejectReason.ServerError],
  ];
  for (const [err, reason] of cases) assert.equal(rejectionFor(err), reason, String(err));
});
