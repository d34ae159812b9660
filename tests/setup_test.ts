import assert from "node:assert/strict";
import { missing, packagesFor, REQUIREMENTS } from "./setup.ts";

Deno.test("test setup: what is missing maps to the apt packages to install, each once", () => {
  const absent = new Set(["command -v srt-live-transmit", "command -v rtmpdump"]);
  const lacking = missing(REQUIREMENTS, (probe) => !absent.has(probe));
  assert.deepEqual(lacking.map((r) => r.what), ["srt-live-transmit", "rtmpdump"]);
  assert.deepEqual(packagesFor(lacking), ["srt-tools", "rtmpdump"]);
  const gstBad = REQUIREMENTS.filter((r) => r.packages.includes("gstreamer1.0-plugins-bad"));
  assert.deepEqual(packagesFor([...gstBad, ...gstBad]), ["gstreamer1.0-plugins-bad"]);
});

Deno.test("test setup: on this machine every tool the e2e tests use is present", () => {
  // The task runs setup.ts before the tests; if this fails, the setup did not do its job.
  assert.deepEqual(missing().map((r) => r.what), []);
});
