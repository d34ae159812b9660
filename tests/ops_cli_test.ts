/**
 * The program's operations surface: `--check-config` exit codes and messages, and the start-up
 * figures the issue asks for, measured on `deno run` of main.ts with the compiled program's flags:
 * the time from spawn to the last "listening" line minus the runtime's own start-up (an empty
 * script's spawn to its first line), and the idle RSS.
 */
import assert from "node:assert/strict";
import { run, startEstuary } from "./support/mod.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const env = { RUST_BACKTRACE: "0", NO_COLOR: "1" };
/** The flags `deno task build` compiles with. */
const COMPILED_FLAGS = ["--v8-flags=--max-semi-space-size=2,--heap-growing-percent=25"];

Deno.test("--check-config: 0 and ok for a good file, 1 naming element, value and rule for a bad one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = `${dir}/good.xml`;
    const bad = `${dir}/bad.xml`;
    await Deno.writeTextFile(
      good,
      "<config><rtmp><port>1936</port></rtmp><http><port>8081</port></http></config>",
    );
    await Deno.writeTextFile(bad, "<config><http><hlsduration>0</hlsduration></http></config>");
    const check = (...args: string[]) =>
      run(Deno.execPath(), ["run", "-A", MAIN, "--root", dir, ...args], { timeoutMs: 30_000, env });

    const ok = await check("--check-config", good);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), `${good}: ok`);

    const viaConfig = await check("--config", good, "--check-config");
    assert.equal(viaConfig.code, 0, viaConfig.stderr);

    const r = await check("--check-config", bad);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /http\.hlsduration = "0" is invalid: .*1\.\.3600/);
    assert.match(lines[0], /bad\.xml/);

    const missing = await check(`--check-config=${dir}/none.xml`);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /none\.xml cannot be read: no such file/);

    // No file anywhere: the built-in defaults (with the environment) are checked.
    const defaults = await check("--check-config");
    assert.equal(defaults.code, 0, defaults.stderr);
    assert.equal(defaults.stdout.trim(), "built-in defaults: ok");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function vmRssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return Math.round(kb / 102.4) / 10;
}

Deno.test("startup: time to listening (excluding the runtime's start-up) and idle RSS", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // The runtime alone: spawn to the first line of an empty program.
    const empty = `${dir}/empty.ts`;
    await Deno.writeTextFile(empty, 'console.log("up");\n');
    let runtimeMs = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = await run(Deno.execPath(), ["run", "-A", ...COMPILED_FLAGS, empty], {
        timeoutMs: 30_000,
        env,
      });
      assert.equal(r.stdout.trim(), "up");
      runtimeMs = Math.min(runtimeMs, performance.now() - t0);
    }
    // The server: spawn to its last "listening" line (RTMP, RTSP, SRT and HTTP), best of three.
    let serverMs = Infinity;
    let rssMb = 0;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const server = await startEstuary({
        root: dir,
        services: ["rtmp", "rtsp", "srt", "http"],
        denoFlags: COMPILED_FLAGS,
      });
      serverMs = Math.min(serverMs, performance.now() - t0);
      try {
        if (i === 0) {
          await new Promise((r) => setTimeout(r, 3000));
          rssMb = await vmRssMb(server.child.pid);
        }
      } finally {
        assert.equal((await server.stop("SIGTERM")).code, 0);
      }
    }
    const startupMs = Math.round(serverMs - runtimeMs);
    console.log(
      `runtime start-up ${Math.round(runtimeMs)} ms; spawn to listening ${Math.round(serverMs)} ms; ` +
        `startup excluding the runtime ${startupMs} ms; idle RSS ${rssMb} MB`,
    );
    // The targets are < 300 ms and < 60 MB (see the printed figures); these bounds only catch a
    // regression and leave room for a loaded 2-core machine.
    assert.ok(startupMs < 1500, `startup ${startupMs} ms`);
    assert.ok(rssMb > 0 && rssMb < 120, `idle RSS ${rssMb} MB`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
