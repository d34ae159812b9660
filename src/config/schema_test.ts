import assert from "node:assert/strict";
import { ConfigError } from "../core/errors.ts";
import { defaultConfig, loadConfig, type Overrides } from "./mod.ts";

function at(o: unknown, path: string): unknown {
  return path.split(".").reduce((v, k) => (v as Record<string, unknown>)[k], o);
}

Deno.test("defaults: Estuary's choices", () => {
  const c = defaultConfig();
  const cases: [string, unknown][] = [
    ["rtmp.port", 1935],
    ["rtmp.sport", 1936],
    ["rtmp.ssl", false],
    ["rtmp.gopenable", true], // smart_rtmpd defaults to false; we choose fast start
    ["rtmp.live", "live"],
    ["rtmp.liveApps", ["live"]],
    ["rtmp.recApps", ["rec"]],
    ["rtmp.notfound", "wait"],
    ["rtmp.playwait", 10],
    ["rtmp.batchms", 20],
    ["rtmp.rtp.size", 1460],
    ["http.port", 8080],
    ["http.sport", 8181],
    ["http.denyFiles", ["php", "xml"]],
    ["rtsp.port", 8554],
    ["rtsp.sport", 322],
    ["srt.port", 9000],
    ["srt.latency", 120],
    ["log.level", "info"],
    ["log.dir", "logs"],
    ["authurl.url", ""],
    ["webrtc.host", []],
  ];
  for (const [path, want] of cases) assert.deepEqual(at(c, path), want, path);
});

Deno.test("defaultConfig returns a fresh object", () => {
  const a = defaultConfig();
  a.rtmp.liveApps.push("x");
  assert.deepEqual(defaultConfig().rtmp.liveApps, ["live"]);
});

Deno.test("valid values are converted", () => {
  const cases: [Overrides, string, unknown][] = [
    [{ "rtmp.port": "0" }, "rtmp.port", 0],
    [{ "rtmp.port": 0 }, "rtmp.port", 0],
    [{ "http.port": " 65535 " }, "http.port", 65535],
    [{ "rtmp.port": "" }, "rtmp.port", 1935], // blank = default
    [{ "rtmp.gopenable": "false" }, "rtmp.gopenable", false],
    [{ "rtmp.gopenable": "FALSE" }, "rtmp.gopenable", false],
    [{ "rtmp.gopenable": "0" }, "rtmp.gopenable", false],
    [{ "rtmp.gopenable": "off" }, "rtmp.gopenable", false],
    [{ "rtmp.gopenable": "no" }, "rtmp.gopenable", false],
    [{ "rtmp.gopenable": false }, "rtmp.gopenable", false],
    [{ "rtmp.ssl": "yes" }, "rtmp.ssl", true],
    [{ "rtmp.ssl": "On" }, "rtmp.ssl", true],
    [{ "rtmp.ssl": "1" }, "rtmp.ssl", true],
    [{ "rtmp.live": "live, tv,,show" }, "rtmp.liveApps", ["live", "tv", "show"]],
    [{ "http.denyfile": ".PHP, xml" }, "http.denyFiles", ["php", "xml"]],
    [{ "http.denypath": "/home/,root" }, "http.denyPaths", ["home", "root"]],
    [{ "log.level": "DEBUG" }, "log.level", "debug"],
    [{ "http.recmode": "1" }, "http.recmode", 1],
    [{ "srt.pbkeylen": "32" }, "srt.pbkeylen", 32],
    [{ "rtmp.rtp.size": "0" }, "rtmp.rtp.size", 1460],
    [
      { "authurl.host": "10.0.0.2:8181", "authurl.router": "/api/auth" },
      "authurl.url",
      "http://10.0.0.2:8181/api/auth",
    ],
    [{ "authurl.host": "https://a.com", "authurl.router": "auth" }, "authurl.url", "https://a.com/auth"],
    [{ "authurl.host": "a.com:80" }, "authurl.url", "http://a.com:80"],
  ];
  for (const [overrides, path, want] of cases) {
    assert.deepEqual(at(loadConfig({ overrides }).config, path), want, JSON.stringify(overrides));
  }
});

Deno.test("invalid values: one message naming path, value and rule", () => {
  const cases: [Overrides, string][] = [
    [{ "rtmp.port": "99999" }, 'config rtmp.port = "99999" is invalid: must be an integer 0..65535'],
    [{ "rtmp.port": "-1" }, 'config rtmp.port = "-1" is invalid: must be an integer 0..65535'],
    [{ "rtmp.port": "19.35" }, 'config rtmp.port = "19.35" is invalid: must be an integer 0..65535'],
    [{ "rtmp.port": "abc" }, 'config rtmp.port = "abc" is invalid: must be an integer 0..65535'],
    [{ "rtmp.maxidle": -5 }, "config rtmp.maxidle = -5 is invalid: must be an integer 0..86400"],
    [{ "rtmp.chunksize": "0" }, 'config rtmp.chunksize = "0" is invalid: must be an integer 1..16777215'],
    [{ "http.hlsduration": "-3" }, 'config http.hlsduration = "-3" is invalid: must be an integer 1..3600'],
    [{ "http.dashduration": "5" }, 'config http.dashduration = "5" is invalid: must be an integer 10..3600'],
    [{ "rtmp.gopenable": "maybe" }, 'config rtmp.gopenable = "maybe" is invalid: must be true or false'],
    [{ "http.ssl": "2" }, 'config http.ssl = "2" is invalid: must be true or false'],
    [{ "http.recmode": "7" }, 'config http.recmode = "7" is invalid: must be 0 (DASH), 1 (HLS) or 2 (MP4)'],
    [{ "srt.pbkeylen": "20" }, 'config srt.pbkeylen = "20" is invalid: must be 0 (auto), 16, 24 or 32'],
    [{ "srt.passphrase": "short" }, 'config srt.passphrase = "short" is invalid: must be 10..79 characters'],
    [{ "rtmp.notfound": "drop" }, 'config rtmp.notfound = "drop" is invalid: must be one of wait, reject'],
    [
      { "log.level": "trace" },
      'config log.level = "trace" is invalid: must be one of debug, info, warn, error',
    ],
    [{ "rtc.codec.video": "mpeg2" }, 'config rtc.codec.video = "mpeg2" is invalid: must be one of h264'],
    [
      { "rtmp.live": "live,../x" },
      'config rtmp.live = "live,../x" is invalid: must be a comma list of app names',
    ],
    [{ "rtmp.rec": "live" }, 'config rtmp.rec = "live" is invalid: app live is already a live app'],
    [{ "rtp.min": "61000" }, 'config rtp.min = "61000" is invalid: must be <= rtp.max (60000)'],
    [{ "http.port": "1935" }, 'config http.port = "1935" is invalid: already used by rtmp.port'],
    [{ "rtmp.ip": "a b" }, 'config rtmp.ip = "a b" is invalid: must be an IP address or host name'],
    [
      { "nat.rtmp": "1.2.3.4 :1935" },
      'config nat.rtmp = "1.2.3.4 :1935" is invalid: must be host or host:port',
    ],
    [{ "authurl.host": "a.com/x/y" }, 'config authurl.host = "a.com/x/y" is invalid: must be host:port'],
    [{ "authurl.timeout": "0" }, 'config authurl.timeout = "0" is invalid: must be an integer 1..600000'],
  ];
  for (const [overrides, want] of cases) {
    assert.throws(
      () => loadConfig({ overrides }),
      (e: unknown) => e instanceof ConfigError && e.code === "config" && e.message.startsWith(want),
      `${JSON.stringify(overrides)} should fail with: ${want}`,
    );
  }
});

Deno.test("port 0 never collides and TLS ports only count when TLS can start", () => {
  const ok: Overrides[] = [
    { "rtmp.port": 0, "http.port": 0, "rtsp.port": 0, "srt.port": 0 },
    { "http.port": 1935, "rtmp.enable": false },
    { "http.sport": 8080 }, // https off: sport unused
    { "srt.port": 8554 }, // udp vs tcp
    { "http.port": 1935, "http.ip": "127.0.0.1", "rtmp.ip": "127.0.0.2" },
  ];
  for (const overrides of ok) loadConfig({ overrides });
  assert.throws(
    () =>
      loadConfig({
        overrides: { ssl: { serverkey: "k", servercert: "c" }, http: { ssl: true, sport: 8080 } },
      }),
    /config http.sport = 8080 is invalid: already used by http.port/,
  );
});
