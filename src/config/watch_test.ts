import assert from "node:assert/strict";
import { folderOf, watchFiles } from "./watch.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A watch on config.xml and policy.xml in a fresh folder, recording every callback. */
async function setup(debounceMs = 100) {
  const dir = await Deno.makeTempDir({ prefix: "estuary-watch-" });
  const config = `${dir}/config.xml`;
  const policy = `${dir}/policy.xml`;
  await Deno.writeTextFile(config, "<config/>");
  await Deno.writeTextFile(policy, "<policy/>");
  const calls: string[][] = [];
  const watch = watchFiles([config, policy], (c) => calls.push(c.map((f) => f.slice(dir.length + 1))), {
    debounceMs,
  });
  return {
    dir,
    config,
    policy,
    calls,
    async close() {
      watch.close();
      await watch.closed;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Waits until `calls` has `n` entries (or `ms` passed), then a little more to catch extra calls. */
async function settle(calls: unknown[], n: number, ms = 3000) {
  const end = Date.now() + ms;
  while (calls.length < n && Date.now() < end) await sleep(20);
  await sleep(300);
}

Deno.test("watchFiles: an edit in place calls back once with that file", async () => {
  const t = await setup();
  try {
    await Deno.writeTextFile(t.config, "<config><rtmp><port>1936</port></rtmp></config>");
    await settle(t.calls, 1);
    assert.deepEqual(t.calls, [["config.xml"]]);
  } finally {
    await t.close();
  }
});

Deno.test("watchFiles: a burst of writes within the debounce is one call", async () => {
  const t = await setup(200);
  try {
    for (let i = 0; i < 5; i++) {
      await Deno.writeTextFile(t.config, `<config><!-- ${i} --></config>`);
      await sleep(30);
    }
    await Deno.writeTextFile(t.policy, "<policy><!-- x --></policy>");
    await settle(t.calls, 1);
    assert.deepEqual(t.calls, [["config.xml", "policy.xml"]]);
  } finally {
    await t.close();
  }
});

Deno.test("watchFiles: a save by rename (vim, sed -i) is seen, and so is the next one", async () => {
  const t = await setup();
  try {
    for (const port of [1936, 1937]) {
      const tmp = `${t.dir}/.config.xml.swp`;
      await Deno.writeTextFile(tmp, `<config><rtmp><port>${port}</port></rtmp></config>`);
      await Deno.rename(tmp, t.config);
      await settle(t.calls, port - 1935);
    }
    assert.deepEqual(t.calls, [["config.xml"], ["config.xml"]]);
  } finally {
    await t.close();
  }
});

Deno.test("watchFiles: rewriting the same content, touching, and other files in the folder call nothing", async () => {
  const t = await setup();
  try {
    await Deno.writeTextFile(t.config, "<config/>");
    await Deno.utime(t.policy, new Date(), new Date());
    await Deno.writeTextFile(`${t.dir}/notes.txt`, "unrelated");
    await settle(t.calls, 1, 800);
    assert.deepEqual(t.calls, []);
    // Removed then written back with new content: one call, once it is there again.
    await Deno.remove(t.config);
    await sleep(250);
    await Deno.writeTextFile(t.config, "<config><rtmp/></config>");
    await settle(t.calls, 1);
    assert.deepEqual(t.calls, [["config.xml"]]);
  } finally {
    await t.close();
  }
});

Deno.test("folderOf: POSIX, Windows drive and UNC paths, never a bare split on /", () => {
  const cases: [string, string][] = [
    ["/etc/estuary/config.xml", "/etc/estuary"],
    ["/config.xml", "/"],
    ["config.xml", "."],
    ["conf/config.xml", "conf"],
    ["C:\\Program Files\\Estuary\\conf\\config.xml", "C:\\Program Files\\Estuary\\conf"],
    ["C:\\config.xml", "C:\\"],
    ["C:/estuary/conf/config.xml", "C:/estuary/conf"],
    ["\\\\server\\share\\estuary\\config.xml", "\\\\server\\share\\estuary"],
  ];
  for (const [path, want] of cases) assert.equal(folderOf(path), want, path);
});
