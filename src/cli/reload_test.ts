import assert from "node:assert/strict";
import { ConfigError } from "../core/errors.ts";
import { createLogger, MemorySink } from "../log/mod.ts";
import { reloader, reloadOnChange, watchedFiles } from "./reload.ts";

function memLog() {
  const sink = new MemorySink(100);
  return { sink, log: createLogger({ level: "debug", sinks: [sink] }) };
}

Deno.test("reloader: calls run one at a time, in order", async () => {
  const { log } = memLog();
  const order: string[] = [];
  let n = 0;
  const reload = reloader(async () => {
    const i = ++n;
    order.push(`start ${i}`);
    await new Promise((r) => setTimeout(r, 30));
    order.push(`end ${i}`);
  }, log);
  const results = await Promise.all([reload("SIGHUP"), reload("file changed: config.xml")]);
  assert.deepEqual(results, [true, true]);
  assert.deepEqual(order, ["start 1", "end 1", "start 2", "end 2"]);
});

Deno.test("reloader: a refused reload is one error line with the rule, and the next reload still runs", async () => {
  const { log, sink } = memLog();
  let bad = true;
  const reload = reloader(() => {
    if (bad) {
      return Promise.reject(
        new ConfigError('config rtmp.port = "99999" is invalid: Too big: expected number to be <=65535'),
      );
    }
    return Promise.resolve();
  }, log);
  assert.equal(await reload("file changed: config.xml"), false);
  bad = false;
  assert.equal(await reload("SIGHUP"), true);
  const errors = sink.lines.filter((l) => / ERROR /.test(l));
  assert.equal(errors.length, 1);
  assert.match(errors[0], /config reload refused; keeping the running config/);
  assert.match(errors[0], /rtmp\.port/);
  assert.match(errors[0], /99999/);
  assert.match(errors[0], /<=65535/);
  assert.match(errors[0], /trigger="file changed: config.xml"/);
});

Deno.test("watchedFiles: policy.xml beside the config file when it exists, for POSIX and Windows paths", () => {
  const have = (...paths: string[]) => (p: string) => paths.includes(p);
  assert.deepEqual(watchedFiles("/etc/estuary/config.xml", have("/etc/estuary/policy.xml")), [
    "/etc/estuary/config.xml",
    "/etc/estuary/policy.xml",
  ]);
  assert.deepEqual(watchedFiles("/etc/estuary/config.xml", have()), ["/etc/estuary/config.xml"]);
  assert.deepEqual(watchedFiles("C:\\Estuary\\conf\\config.xml", have("C:\\Estuary\\conf\\policy.xml")), [
    "C:\\Estuary\\conf\\config.xml",
    "C:\\Estuary\\conf\\policy.xml",
  ]);
  assert.deepEqual(watchedFiles("C:\\config.xml", have("C:\\policy.xml")), [
    "C:\\config.xml",
    "C:\\policy.xml",
  ]);
  assert.deepEqual(watchedFiles("config.xml", have("./policy.xml")), ["config.xml", "./policy.xml"]);
  // A config file named policy.xml is watched once.
  assert.deepEqual(watchedFiles("/x/policy.xml", have("/x/policy.xml")), ["/x/policy.xml"]);
});

Deno.test("reloadOnChange: a watch that cannot start is one warning, not a crash", async () => {
  const { log, sink } = memLog();
  const watch = reloadOnChange(["/nonexistent-estuary-dir/config.xml"], () => {}, log);
  watch.close();
  await watch.closed;
  const warns = sink.lines.filter((l) => / WARN /.test(l));
  assert.equal(warns.length, 1, sink.lines.join("\n"));
  assert.match(warns[0], /config files are not watched/);
  assert.match(warns[0], /nonexistent-estuary-dir/);
});

Deno.test("reloadOnChange: a saved file calls reload with the file as the trigger", async () => {
  const { log } = memLog();
  const dir = await Deno.makeTempDir();
  const file = `${dir}/config.xml`;
  await Deno.writeTextFile(file, "<config/>");
  const triggers: string[] = [];
  const watch = reloadOnChange([file], (t) => triggers.push(t), log, 50);
  try {
    await Deno.writeTextFile(file, "<config><rtmp/></config>");
    const end = Date.now() + 3000;
    while (triggers.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(triggers, [`file changed: ${file}`]);
  } finally {
    watch.close();
    await watch.closed;
    await Deno.remove(dir, { recursive: true });
  }
});
