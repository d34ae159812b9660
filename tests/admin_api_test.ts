/**
 * The admin API (/admin/api/) through the real server: login and tokens, roles, users, the stream
 * list and kicking a publisher (a real ffmpeg RTMP publisher is disconnected), log tail, sysinfo,
 * metrics, refusals without a token and with the viewer role, logout, a password change ending old
 * sessions, the per-address login backoff, and the generated first password.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  AAC,
  type Background,
  ffmpegPublish,
  ffprobeJson,
  H264B,
  spawnBackground,
  startTestServer,
  waitLive,
} from "./support/mod.ts";

interface Answer {
  status: number;
  code: number;
  msg: string;
  // deno-lint-ignore no-explicit-any
  data: any;
  headers: Headers;
}

function client(base: string) {
  return async (
    method: string,
    path: string,
    opts: { token?: string; body?: unknown } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const j = await res.json();
    return { status: res.status, code: j.code, msg: j.msg, data: j.data, headers: res.headers };
  };
}

Deno.test("admin api: login, roles, users, streams with kick, logs, sysinfo; refusals; logout; backoff", async () => {
  const ts = await startTestServer({ admin: { password: "first-admin-pass" } });
  const api = client(ts.http(""));
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/adm"),
    format: "flv",
    seconds: 60,
    video: H264B,
    audio: [],
  });
  try {
    // Nothing without a token.
    for (const path of ["/admin/api/whoami", "/admin/api/stream", "/admin/api/config"]) {
      const r = await api("GET", path);
      assert.deepEqual([r.status, r.code], [401, 401], path);
    }
    assert.equal((await api("GET", "/admin/api/whoami", { token: "abc.def" })).status, 401);

    const login = await api("POST", "/admin/api/login", { body: { id: "admin", pwd: "first-admin-pass" } });
    assert.deepEqual([login.status, login.code, login.msg], [200, 0, "ok"]);
    const token: string = login.data.token;
    assert.equal(login.data.role, "admin");
    assert.ok(login.data.expires > Date.now() + 479 * 60_000, "sessionttl 480 minutes by default");
    assert.deepEqual((await api("GET", "/admin/api/whoami", { token })).data, {
      name: "admin",
      role: "admin",
    });

    const service = await api("GET", "/admin/api/service", { token });
    assert.equal(service.data.rtmp.port, ts.ports.rtmp);
    assert.equal(service.data.rtmp.run, true);
    const config = await api("GET", "/admin/api/config", { token });
    assert.equal(config.data.rtmp.port, 0, "the config as given (tests listen on free ports)");
    assert.equal(config.data.admin.user, "admin");
    assert.equal(config.data.admin.password, "********", "secrets are not shown");

    await waitLive(ts.hub, "live/adm", { audio: false });
    const list = await api("GET", "/admin/api/stream", { token });
    assert.equal(list.data.stream.length, 1);
    const detail = await api("GET", "/admin/api/stream?app=live&name=adm", { token });
    assert.equal(detail.data.media.video.codec, "H264");
    assert.equal((await api("GET", "/admin/api/stream?app=live&name=none", { token })).code, 1);

    // Users: a viewer may read, not write; it may change its own password.
    const add = await api("POST", "/admin/api/user?cmd=add", {
      token,
      body: { name: "eve", password: "viewer-pass-1", role: "viewer" },
    });
    assert.equal(add.code, 0, add.msg);
    const bad = await api("POST", "/admin/api/user?cmd=add", { token, body: { name: "x y", password: "p" } });
    assert.deepEqual([bad.status, bad.code], [200, 1]);
    assert.match(bad.msg, /user name "x y" refused/);
    const users = await api("GET", "/admin/api/user", { token });
    assert.deepEqual(users.data.map((u: { name: string; role: string }) => [u.name, u.role]), [
      ["admin", "admin"],
      ["eve", "viewer"],
    ]);
    const found = await api("GET", "/admin/api/user?cmd=find&keyword=EV", { token });
    assert.deepEqual(found.data.map((u: { name: string }) => u.name), ["eve"]);

    const eve =
      (await api("POST", "/admin/api/login", { body: { id: "eve", pwd: "viewer-pass-1" } })).data.token;
    assert.equal((await api("GET", "/admin/api/stream", { token: eve })).code, 0, "a viewer reads");
    const kickByViewer = await api("POST", "/admin/api/stream?cmd=kick", {
      token: eve,
      body: { app: "live", name: "adm" },
    });
    assert.deepEqual([kickByViewer.status, kickByViewer.code], [403, 403]);
    assert.equal(
      (await api("POST", "/admin/api/user?cmd=del", { token: eve, body: { name: "admin" } })).status,
      403,
    );
    const own = await api("POST", "/admin/api/password", {
      token: eve,
      body: { oldpwd: "viewer-pass-1", newpwd: "viewer-pass-2" },
    });
    assert.equal(own.code, 0, own.msg);
    assert.equal(
      (await api("GET", "/admin/api/whoami", { token: eve })).status,
      401,
      "a password change ends old sessions",
    );
    const other = await api("POST", "/admin/api/password", {
      token: eve,
      body: { name: "admin", newpwd: "hijacked-pass" },
    });
    assert.equal(other.status, 401, "the old token is gone");

    // Kick: the ffmpeg publisher is disconnected and the stream is gone.
    const kick = await api("POST", "/admin/api/stream?cmd=kick", {
      token,
      body: { app: "live", name: "adm" },
    });
    assert.equal(kick.code, 0, kick.msg);
    assert.equal(ts.hub.get("live/adm"), undefined);
    const exit = await Promise.race([
      pub.exited.then(() => "exited"),
      new Promise((r) => setTimeout(() => r("running"), 10_000)),
    ]);
    assert.equal(exit, "exited", "ffmpeg was disconnected");

    const log = await api("GET", "/admin/api/logmsg?line=50", { token });
    assert.ok(log.data.length > 0 && log.data.length <= 50);
    assert.ok(log.data[0] >= log.data.at(-1), "newest first");
    assert.ok(
      log.data.some((l: string) => l.includes("admin action") && l.includes("kick publisher")),
      "audited",
    );
    const warns = await api("GET", "/admin/api/logmsg?line=100&level=warn", { token });
    assert.ok(warns.data.every((l: string) => / (WARN|ERROR) /.test(l)));
    assert.equal((await api("GET", "/admin/api/logmsg?line=0", { token })).code, 1);
    assert.ok(Array.isArray((await api("GET", "/admin/api/logfile", { token })).data));
    const badFile = await api("GET", "/admin/api/logfile?name=../../etc/passwd", { token });
    assert.equal(badFile.code, 1);

    const sys = await api("GET", "/admin/api/sysinfo", { token });
    assert.match(sys.data.run_time, /^\d\d:\d\d:\d\d:\d\d$/);
    assert.ok(sys.data.cpu_info.length >= 1 && sys.data.net_interface.length >= 1);
    assert.match(sys.data.mem_size, /^\d+\.\d\dG$/);
    const metrics = await api("GET", "/admin/api/metrics", { token });
    assert.ok(Object.keys(metrics.data).length > 0);

    assert.equal((await api("POST", "/admin/api/restart", { token })).code, 1, "no config file to re-read");
    assert.equal((await api("POST", "/admin/api/stop", { token })).code, 1);

    const out = await api("POST", "/admin/api/logout", { token });
    assert.equal(out.code, 0);
    assert.equal((await api("GET", "/admin/api/whoami", { token })).status, 401, "logged out");

    // Three failures are free, the fourth attempt waits.
    for (let i = 0; i < 3; i++) {
      assert.equal(
        (await api("POST", "/admin/api/login", { body: { id: "admin", pwd: `wrong-${i}` } })).status,
        401,
      );
    }
    const slowed = await api("POST", "/admin/api/login", { body: { id: "admin", pwd: "first-admin-pass" } });
    assert.equal(slowed.status, 429);
    assert.equal(slowed.headers.get("retry-after"), "1");
    assert.ok(ts.lines.some((l) => l.includes("admin login failed") && l.includes("remote=127.0.0.1")));
  } finally {
    await pub.stop();
    await ts.close();
  }
});

Deno.test("admin api: with no password configured, the first admin gets a generated one, logged once", async () => {
  const ts = await startTestServer();
  const api = client(ts.http(""));
  try {
    // The store opens on the first admin request.
    assert.equal((await api("GET", "/admin/api/whoami")).status, 401);
    const line = ts.lines.find((l) => l.includes("admin user created with a generated password"));
    assert.ok(line, ts.lines.slice(-10).join("\n"));
    const pwd = / password=(\S+)/.exec(line)![1];
    assert.ok(pwd.length >= 16);
    const login = await api("POST", "/admin/api/login", { body: { id: "admin", pwd } });
    assert.equal(login.code, 0);
    const db = await Deno.readFile(`${ts.root}/data/estuary.db`);
    assert.equal(new TextDecoder().decode(db).includes(pwd), false, "only a hash is stored");
  } finally {
    await ts.close();
  }
});

Deno.test("admin api: sessions of every protocol are listed with role, stream and bytes; kick ends a player", async () => {
  const ts = await startTestServer({ admin: { password: "first-admin-pass" } });
  const api = client(ts.http(""));
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/ses"),
    format: "flv",
    seconds: 60,
    video: H264B,
    audio: [],
  });
  const players: Background[] = [];
  try {
    await waitLive(ts.hub, "live/ses", { audio: false });
    const play = (url: string, extra: string[] = []) =>
      players.push(
        spawnBackground("ffmpeg", ["-nostdin", "-loglevel", "error", ...extra, "-i", url, "-f", "null", "-"]),
      );
    play(ts.http("/live/ses.flv"));
    play(ts.rtsp("/live/ses"), ["-rtsp_transport", "tcp"]);
    play(ts.srt("#!::r=live/ses,m=request"));
    const token = (await api("POST", "/admin/api/login", { body: { pwd: "first-admin-pass" } })).data.token;
    type S = {
      id: string;
      protocol: string;
      role: string;
      stream?: string;
      bytesIn: number;
      bytesOut: number;
    };
    let list: S[] = [];
    const end = Date.now() + 15_000;
    while (Date.now() < end) {
      list = (await api("GET", "/admin/api/session", { token })).data;
      const players = list.filter((s) => s.role === "player" && s.bytesOut > 10_000);
      if (players.length >= 3) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const by = (p: string, role: string) => list.find((s) => s.protocol === p && s.role === role);
    assert.ok(by("rtmp", "publisher")?.bytesIn! > 10_000, JSON.stringify(list));
    for (const p of ["http-flv", "rtsp", "srt"]) {
      const s = by(p, "player");
      assert.ok(s && s.stream === "live/ses" && s.bytesOut > 10_000, `${p}: ${JSON.stringify(list)}`);
    }
    const onlySrt = (await api("GET", "/admin/api/session?protocol=srt", { token })).data as S[];
    assert.deepEqual(onlySrt.map((s) => s.protocol), ["srt"]);

    // Kick the HTTP-FLV player: its ffmpeg ends, the others play on.
    const flv = by("http-flv", "player")!;
    const kick = await api("POST", "/admin/api/session?cmd=kick", { token, body: { id: flv.id } });
    assert.equal(kick.code, 0, kick.msg);
    const exited = await Promise.race([
      players[0].exited.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 10_000)),
    ]);
    assert.equal(exited, true, "the kicked HTTP-FLV player ended");
    const after = (await api("GET", "/admin/api/session", { token })).data as S[];
    assert.equal(after.some((s) => s.id === flv.id), false);
    assert.ok(after.some((s) => s.protocol === "rtsp" && s.role === "player"), "the RTSP player plays on");
    assert.equal(
      (await api("POST", "/admin/api/session?cmd=kick", { token, body: { id: "nope#1" } })).code,
      1,
    );
    assert.ok(ts.lines.some((l) => l.includes("kick session") && l.includes(flv.id)));
  } finally {
    for (const p of players) await p.stop();
    await pub.stop();
    await ts.close();
  }
});

Deno.test("admin api: files: VOD and recordings listed; a recording being written cannot be deleted, a finished one can", async () => {
  const ts = await startTestServer({ admin: { password: "first-admin-pass" } }, {
    files: { "vod/a/clip.flv": "x" },
  });
  const api = client(ts.http(""));
  const pub = ffmpegPublish({
    url: ts.rtmp("/rec/cam"),
    format: "flv",
    seconds: 60,
    video: H264B,
    audio: [],
  });
  try {
    const token = (await api("POST", "/admin/api/login", { body: { pwd: "first-admin-pass" } })).data.token;
    const vod = await api("GET", "/admin/api/files?root=vod&path=a", { token });
    assert.deepEqual(vod.data.files.map((f: { name: string; size: number }) => [f.name, f.size]), [[
      "clip.flv",
      1,
    ]]);
    assert.equal((await api("GET", "/admin/api/files?root=etc", { token })).code, 1);
    assert.match((await api("GET", "/admin/api/files?root=vod&path=../..", { token })).msg, /refused/);

    await waitLive(ts.hub, "rec/cam", { audio: false });
    let vhosts: string[] = [];
    for (let i = 0; i < 50 && vhosts.length === 0; i++) {
      vhosts =
        (await api("GET", "/admin/api/files?root=rec", { token })).data?.dirs?.map((d: { name: string }) =>
          d.name
        ) ?? [];
      if (!vhosts.length) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(vhosts.length, 1, "one vhost folder");
    const streams = (await api("GET", `/admin/api/files?root=rec&path=${vhosts[0]}`, { token })).data.dirs;
    assert.deepEqual(streams.map((d: { name: string }) => d.name), ["cam"]);
    const busy = await api("POST", "/admin/api/files?cmd=del", {
      token,
      body: { root: "rec", path: `${vhosts[0]}/cam` },
    });
    assert.equal(busy.code, 1);
    assert.match(busy.msg, /rec\/cam is live and being recorded/);
    await pub.stop();
    for (let i = 0; i < 50 && ts.hub.get("rec/cam"); i++) await new Promise((r) => setTimeout(r, 100));
    const del = await api("POST", "/admin/api/files?cmd=del", {
      token,
      body: { root: "rec", path: `${vhosts[0]}/cam` },
    });
    assert.equal(del.code, 0, del.msg);
    assert.deepEqual(
      (await api("GET", `/admin/api/files?root=rec&path=${vhosts[0]}`, { token })).data.dirs,
      [],
    );
    const vodDel = await api("POST", "/admin/api/files?cmd=del", {
      token,
      body: { root: "vod", path: "a/clip.flv" },
    });
    assert.equal(vodDel.code, 0);
    assert.ok(ts.lines.some((l) => l.includes("admin action") && l.includes("action=delete")));
  } finally {
    await pub.stop();
    await ts.close();
  }
});

Deno.test("admin api: <admin><port> serves it at /api/* for smart_rtmpd's admin pages (md5 login form); a reload closes it", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const ts = await startTestServer({ admin: { password: "first-admin-pass", port } });
  const alias = client(`http://127.0.0.1:${port}`);
  try {
    assert.equal(ts.port("admin"), port);
    // smart_rtmpd's pages send hex md5(md5(password)).
    const md5 = (s: string) => createHash("md5").update(s).digest("hex");
    const login = await alias("POST", "/api/login", {
      body: { id: "", pwd: md5(md5("first-admin-pass")) },
    });
    assert.equal(login.code, 0, login.msg);
    const token = login.data.token;
    const list = await alias("GET", "/api/stream", { token });
    assert.deepEqual([list.code, list.data.stream], [0, []], "the envelope, as smart_rtmpd's admin answered");
    assert.equal((await alias("GET", "/api/service")).status, 401);
    const root = await fetch(`http://127.0.0.1:${port}/`, { redirect: "manual" });
    await root.body?.cancel();
    assert.deepEqual([root.status, root.headers.get("location")], [302, `http://127.0.0.1:${port}/admin/`]);
    // The main port's /api/stream stays smart_rtmpd's unwrapped media API.
    assert.deepEqual((await client(ts.http(""))("GET", "/api/stream")).data, undefined);

    await ts.reload({ admin: { password: "first-admin-pass", port: 0 } });
    assert.equal(ts.server.port("admin"), 0);
    await assert.rejects(() => fetch(`http://127.0.0.1:${port}/api/service`), "the alias port is closed");
  } finally {
    await ts.close();
  }
});

Deno.test("admin api: recording on demand: a live-app stream (ffmpeg) is recorded from start to stop; ffprobe reads the closed recording", async () => {
  const ts = await startTestServer({ admin: { password: "first-admin-pass" }, http: { hlsduration: 1 } });
  const api = client(ts.http(""));
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/od"),
    format: "flv",
    seconds: 40,
    video: H264B,
    audio: AAC,
  });
  try {
    await waitLive(ts.hub, "live/od");
    const token = (await api("POST", "/admin/api/login", { body: { id: "admin", pwd: "first-admin-pass" } }))
      .data
      .token as string;
    const none = await api("POST", "/admin/api/record?cmd=start&app=live&name=nope", { token });
    assert.match(none.msg, /stream live\/nope is not live here/);
    const start = await api("POST", "/admin/api/record?cmd=start&app=live&name=od", { token });
    assert.deepEqual([start.code, start.data], [0, { stream: "live/od", result: "started" }]);
    assert.deepEqual((await api("GET", "/admin/api/record", { token })).data, { recording: ["live/od"] });
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 6000));
    const stop = await api("POST", "/admin/api/record?cmd=stop&app=live&name=od", { token });
    assert.deepEqual([stop.code, stop.data], [0, { stream: "live/od", result: true }]);
    const recordedMs = Date.now() - t0;
    assert.deepEqual((await api("GET", "/admin/api/record", { token })).data, { recording: [] });
    assert.match(
      (await api("POST", "/admin/api/record?cmd=stop&app=live&name=od", { token })).msg,
      /not being recorded/,
    );
    // The recording, through the recordings API, while the stream is still live: closed and playable.
    const days = (await (await fetch(ts.http("/rec/od"))).json()).dirs as string[];
    const files = (await (await fetch(ts.http(`/rec/od/${days[0]}`))).json()).files as string[];
    assert.equal(files.length, 1, files.join(","));
    const url = ts.http(`/rec/od/${days[0]}/${files[0]}`);
    const playlist = await (await fetch(url)).text();
    assert.match(playlist, /#EXT-X-ENDLIST|type="static"/, "closed (recmode 0 is DASH: a static MPD)");
    const probe = await ffprobeJson(url, { timeoutMs: 15_000 });
    const seconds = Number(probe.format?.duration ?? 0);
    assert.ok(seconds >= 4 && seconds <= recordedMs / 1000 + 2, `recorded ${seconds} s of ${recordedMs} ms`);
    assert.ok(ts.lines.some((l) => l.includes("recording start") && l.includes("live/od")), "audited");
    console.log(
      `recording on demand: ${seconds.toFixed(1)} s recorded over ${recordedMs} ms between start and stop`,
    );
  } finally {
    await pub.stop();
    await ts.close();
  }
});
