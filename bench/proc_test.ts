import assert from "node:assert/strict";
import { cpuSeconds, memory, wakeups } from "./proc.ts";

Deno.test("cpuSeconds counts a grandchild that has already ended (the two-process WHEP loader's case)", async () => {
  // bash's child does a fixed amount of work (~0.3 s of CPU here; longer by the clock on a busy machine)
  // and is reaped by bash, which says so and idles: then only bash's cutime holds that CPU.
  const c = new Deno.Command("bash", {
    args: ["-c", "sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'; echo reaped; sleep 5"],
    stdout: "piped",
  }).spawn();
  const reader = c.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("reaped")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  const cpu = cpuSeconds(c.pid);
  c.kill();
  await reader.cancel();
  await c.status;
  assert.ok(cpu >= 0.1, `${cpu} CPU s for a tree whose grandchild counted to 300,000 in sh`);
});

Deno.test("memory: the anonymous part of the resident memory grows with what a process writes to its heap", async () => {
  // A child of its own (test files share this process, and their memory comes and goes): it says "start",
  // then writes 64 MB and says "ready".
  const code = `console.log("start"); await new Promise((r) => setTimeout(r, 300));
    const b = new Uint8Array(64 << 20).fill(1); console.log("ready");
    await new Promise((r) => setTimeout(r, 10000)); console.log(b[b.length - 1]);`;
  const child = new Deno.Command(Deno.execPath(), { args: ["eval", code], stdout: "piped", stderr: "null" })
    .spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const until = async (word: string) => {
    while (!text.includes(word)) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`child ended before "${word}"`);
      text += value;
    }
  };
  try {
    await until("start");
    const a = memory(child.pid);
    await until("ready");
    const b = memory(child.pid);
    assert.ok(a.anon > 0 && a.anon < a.rss, `anon ${a.anon} of rss ${a.rss}`);
    assert.ok(b.anon - a.anon > 60 << 20, `anon grew ${(b.anon - a.anon) >> 20} MB for 64 MB written`);
  } finally {
    child.kill();
    await lines.cancel();
    await child.status;
  }
});

Deno.test("wakeups: a process that sleeps is counted each time it is woken", async () => {
  const before = wakeups(Deno.pid);
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(wakeups(Deno.pid) - before >= 5);
});
