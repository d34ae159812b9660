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
import { createLogger, MemorySink } from "../../log/mod.ts";
import { RtspError, RtspHeaders, type RtspRequest } from "./message.ts";
import { errorReply } from "./reply.ts";

const req: RtspRequest = {
  method: "DESCRIBE",
  uri: "rtsp://127.0.0.1/live/a",
  headers: new RtspHeaders(),
  body: new Uint8Array(0),
};

Deno.test("errorReply: core errors by code, RtspError by its own status, anything else 500 and logged", () => {
  const cases: [unknown, number, string | undefined, boolean][] = [
    [new AuthError("denied"), 403, undefined, false],
    [new StreamBusyError("live/a"), 455, "Stream Busy", false],
    [new NotFoundError("no live/a"), 404, undefined, false],
    [new AppNotAllowedError("x", ["live"]), 403, undefined, false],
    [new BadNameError("..", "no dots"), 400, undefined, false],
    [new ProtocolError("bad"), 400, undefined, false],
    [new ConfigError("bad"), 500, undefined, false],
    [new RtspError(459, "aggregate"), 459, undefined, false],
    [new TypeError("a bug"), 500, undefined, true],
  ];
  for (const [err, status, reason, logged] of cases) {
    const sink = new MemorySink();
    const r = errorReply(createLogger({ sinks: [sink] }), req, err);
    const name = (err as Error).name;
    assert.equal(r.status, status, name);
    assert.equal(r.reason, reason, name);
    assert.equal(r.body, `${(err as Error).message}\n`, name);
    assert.equal(sink.lines.some((l) => l.includes("rtsp internal error")), logged, name);
  }
});
