import assert from "node:assert/strict";
import { cpuSeconds } from "./proc.ts";

Deno.test("cpuSeconds counts a grandchild that has already ended (the two-process WHEP loader's case)", async () => {
  // bash's child spins for 0.6 s and is reaped by bash, which then idles: only bash's cutime holds it.
  const c = new Deno.Command("bash", {
    args: ["-c", "timeout 0.6 sh -c 'while :; do :; done'; sleep 1"],
  }).spawn();
  await new Promise((r) => setTimeout(r, 900));
  const cpu = cpuSeconds(c.pid);
  await c.status;
  assert.ok(cpu >= 0.4, `${cpu} CPU s for a tree that spun 0.6 s`);
});
