/**
 * policy.xml through the command line: read from the config file's folder (`--policy FILE` names another)
 * and re-read on SIGHUP (a new rule starts forwarding a live stream, an emptied file stops it).
 */
import assert from "node:assert/strict";
import {
  AAC,
  ffmpegPublish,
  H264B,
  requireTool,
  run,
  startEstuary,
  startTestServer,
  waitFor,
  waitLive,
} from "./support/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const env = { RUST_BACKTRACE: "0", NO_COLOR: "1" };
const rule = (port: number) =>
  `<policy><vhosts><vhost name="rtmp://127.0.0.1/live"><forward rewrite="">127.0.0.1:${port}</forward></vhost></vhosts></policy>`;

Deno.test("cli: policy.xml beside config.xml; SIGHUP re-reads it (rule added → forwards, removed → stops); a missing --policy file fails", async () => {
  requireTool("ffmpeg");
  const b = await startTestServer();
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/etc`);
  await Deno.writeTextFile(
    `${dir}/etc/config.xml`,
    "<config><cluster><reconnect>1</reconnect></cluster></config>",
  );
  await Deno.writeTextFile(`${dir}/etc/policy.xml`, "<policy/>");
  const server = await startEstuary({ args: ["--config", `${dir}/etc/config.xml`], root: dir });
  const pub = ffmpegPublish({
    url: server.rtmp("/live/cli"),
    format: "flv",
    seconds: 30,
    video: H264B,
    audio: AAC,
  });
  try {
    await waitFor(
      () => server.lines.some((l) => l.includes("publish start key=live/cli")),
      15_000,
      "publish",
    );
    assert.equal(b.hub.get("live/cli"), undefined);
    // A new rule, applied live to the stream already published.
    await Deno.writeTextFile(`${dir}/etc/policy.xml`, rule(b.port("rtmp")));
    server.child.kill("SIGHUP");
    const s = await waitLive(b.hub, "live/cli", { timeoutMs: 15_000 });
    assert.equal(s.info.via?.length, 1, "forwarded with a chain");
    assert.ok(server.lines.some((l) => /config reloaded .*changed=policy/.test(l)), server.lines.join("\n"));
    // The rule removed: the forward stops, the target's stream ends.
    await Deno.writeTextFile(`${dir}/etc/policy.xml`, "<policy/>");
    server.child.kill("SIGHUP");
    await waitFor(() => s.isEnded, 15_000, "the forwarded stream to end at the target");
    assert.ok(server.lines.some((l) => l.includes("forward stopped")));
  } finally {
    await pub.stop();
    await server.stop();
    await b.close();
  }
  const missing = await run(
    Deno.execPath(),
    ["run", "-A", `${ROOT}main.ts`, "--root", dir, "--policy", `${dir}/nope.xml`],
    { timeoutMs: 30_000, env },
  );
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /policy file .*nope\.xml \(--policy\) does not exist/);
  await Deno.remove(dir, { recursive: true });
});
