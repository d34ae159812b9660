import assert from "node:assert/strict";
import { ConfigError } from "../core/errors.ts";
import { defaultConfig, loadConfig } from "./mod.ts";

const REFERENCE = new URL("./testdata/smart_rtmpd_config.xml.txt", import.meta.url).pathname;

function tempXml(text: string): string {
  const file = Deno.makeTempFileSync({ suffix: ".xml" });
  Deno.writeTextFileSync(file, text);
  return file;
}

Deno.test("smart_rtmpd's own config.xml loads as is, with no warnings", () => {
  const bytes = Deno.readFileSync(REFERENCE);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "the reference starts with a BOM");
  const { config, warnings, source } = loadConfig({ file: REFERENCE });
  assert.deepEqual(warnings, []);
  assert.equal(source.file, REFERENCE);
  const cases: [unknown, unknown][] = [
    [config.rtmp.gopenable, false], // explicit false is honoured over our default true
    [config.rtmp.port, 1935],
    [config.rtmp.codech265, 12],
    [config.rtmp.rtp.h265, 98],
    [config.rtmp.rtp.size, 1460],
    [config.rtmp.hdr3exttime, true],
    [config.authurl.timeout, 3000],
    [config.authurl.url, ""],
    [config.rtp.que, 20000],
    [config.ssl.serverkey, "server.key"],
    [config.rtc.codec.video, "vp9"],
    [config.webrtc.host, []], // both <host> entries are empty
    [config.http.sport, 8181],
    [config.http.recmode, 0],
    [config.srt.maxidle, 10],
    [config.cluster.heartbeat, 180],
    [config.log.level, "info"], // <log> is empty: defaults
  ];
  cases.forEach(([got, want], i) => assert.deepEqual(got, want, `case ${i}`));
});

Deno.test("XML mapping: BOM, comments, attributes, text, repeated elements, blanks", () => {
  const xml = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>
<!-- 注释 -->
<config>
  <authurl timeout="500" router="/api/auth">10.0.0.2:8181</authurl>
  <rtp min="1000" max="2000" que="5"/>
  <rtmp><ip></ip><port>0</port><live>live,tv</live><rtp h264="100"/><!-- c --></rtmp>
  <webrtc><host rtmp="a:1935" http="a:8080"/><host rtmp="b:1935" http=""/><host/></webrtc>
  <log><level>debug</level></log>
</config>`;
  const { config, warnings } = loadConfig({ text: xml });
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.authurl, {
    host: "10.0.0.2:8181",
    timeout: 500,
    cache: 10,
    router: "/api/auth",
    url: "http://10.0.0.2:8181/api/auth",
  });
  assert.deepEqual(config.rtp, { min: 1000, max: 2000, que: 5 });
  assert.equal(config.rtmp.port, 0);
  assert.equal(config.rtmp.ip, "");
  assert.deepEqual(config.rtmp.liveApps, ["live", "tv"]);
  assert.equal(config.rtmp.rtp.h264, 100);
  assert.equal(config.rtmp.rtp.h265, 98);
  assert.deepEqual(config.webrtc.host, [{ rtmp: "a:1935", http: "a:8080" }, { rtmp: "b:1935", http: "" }]);
  assert.equal(config.log.level, "debug");
});

Deno.test("unknown elements and attributes are warnings that name them", () => {
  const xml = `<config>
  <rtmp><port>1935</port><fancy>1</fancy><rtp h264="96" vp8="100"/></rtmp>
  <authurl timeout="3000" retries="2"></authurl>
  <mystery><x/></mystery>
  <log>oops</log>
  <http><port>8080</port><port>8081</port></http>
</config>`;
  const { config, warnings } = loadConfig({ text: xml, file: "my.xml" });
  assert.deepEqual(warnings, [
    "unknown element rtmp/fancy in config file my.xml (ignored)",
    "unknown attribute rtmp/rtp@vp8 in config file my.xml (ignored)",
    "unknown attribute authurl@retries in config file my.xml (ignored)",
    "unknown element mystery in config file my.xml (ignored)",
    'text "oops" inside <log> in config file my.xml is ignored',
    "element http/port appears 2 times in config file my.xml: the last wins",
  ]);
  assert.equal(config.http.port, 8081);
});

Deno.test("bad XML and files are ConfigErrors naming the file", () => {
  const bad = tempXml("<config><rtmp><port>1</rtmp></config>");
  const notConfig = tempXml("<policy></policy>");
  const badValue = tempXml("<config><rtmp><port>99999</port></rtmp></config>");
  try {
    const cases: [() => unknown, RegExp][] = [
      [
        () => loadConfig({ file: "/nonexistent/config.xml" }),
        /^config file \/nonexistent\/config.xml cannot be read: no such file$/,
      ],
      [() => loadConfig({ file: bad }), new RegExp(`^config file ${bad} is not well-formed XML: .*line 1`)],
      [
        () => loadConfig({ file: notConfig }),
        new RegExp(`^config file ${notConfig} has no <config> root element$`),
      ],
      [
        () => loadConfig({ file: badValue }),
        new RegExp(
          `^config rtmp.port = "99999" is invalid: must be an integer 0..65535 \\(from config file ${badValue}\\)$`,
        ),
      ],
    ];
    for (const [fn, re] of cases) {
      assert.throws(fn, (e: unknown) => e instanceof ConfigError && re.test(e.message), String(re));
    }
  } finally {
    for (const f of [bad, notConfig, badValue]) Deno.removeSync(f);
  }
});

Deno.test("environment overrides: ESTUARY_<SECTION>_<KEY>", () => {
  const cases: [Record<string, string>, (c: ReturnType<typeof defaultConfig>) => unknown, unknown][] = [
    [{ ESTUARY_RTMP_PORT: "0" }, (c) => c.rtmp.port, 0],
    [{ ESTUARY_HTTP_PORT: "18080" }, (c) => c.http.port, 18080],
    [{ ESTUARY_LOG_LEVEL: "warn" }, (c) => c.log.level, "warn"],
    [{ ESTUARY_AUTHURL_TIMEOUT: "100" }, (c) => c.authurl.timeout, 100],
    [{ ESTUARY_AUTHURL_HOST: "h:1" }, (c) => c.authurl.url, "http://h:1"],
    [{ ESTUARY_RTMP_RTP_H264: "101" }, (c) => c.rtmp.rtp.h264, 101],
    [{ ESTUARY_RTMP_AVTIME_DELTA: "5" }, (c) => c.rtmp.avtime_delta, 5],
    [{ ESTUARY_RTC_CODEC_AUDIO: "pcma" }, (c) => c.rtc.codec.audio, "pcma"],
    [{ ESTUARY_ELAPSE: "true" }, (c) => c.elapse, true],
    [{ ESTUARY_RTMP_GOPENABLE: "false" }, (c) => c.rtmp.gopenable, false],
  ];
  for (const [env, get, want] of cases) {
    const r = loadConfig({ env: { ...env, PATH: "/bin" } });
    assert.deepEqual(get(r.config), want, JSON.stringify(env));
    assert.deepEqual(r.source.env, Object.keys(env));
    assert.deepEqual(r.warnings, []);
  }
  const typo = loadConfig({ env: { ESTUARY_RTMP_PROT: "1", ESTUARY_CONFIG: "conf/x.xml" } });
  assert.deepEqual(typo.warnings, [
    "environment variable ESTUARY_RTMP_PROT names no config element (ignored)",
  ]);
  assert.throws(
    () => loadConfig({ env: { ESTUARY_RTMP_PORT: "70000" } }),
    /config rtmp.port = "70000" is invalid: must be an integer 0..65535 \(from environment ESTUARY_RTMP_PORT\)$/,
  );
});

Deno.test("precedence: defaults ← XML ← environment ← overrides", () => {
  const text =
    "<config><rtmp><port>1000</port><chunksize>4096</chunksize><maxidle>5</maxidle></rtmp></config>";
  const { config, source } = loadConfig({
    text,
    env: { ESTUARY_RTMP_PORT: "2000", ESTUARY_RTMP_CHUNKSIZE: "2048" },
    overrides: { rtmp: { port: 3000, batchms: undefined } },
  });
  assert.equal(config.rtmp.port, 3000); // override wins
  assert.equal(config.rtmp.chunksize, 2048); // env beats XML
  assert.equal(config.rtmp.maxidle, 5); // XML beats default
  assert.equal(config.rtmp.batchms, 20); // undefined override = not given
  assert.deepEqual(source.overrides, ["rtmp.port"]);
  assert.throws(() => loadConfig({ overrides: { "rtmp.prot": 1 } }), /config override rtmp.prot is unknown/);
});

Deno.test("no file means built-in defaults", () => {
  const r = loadConfig();
  assert.deepEqual(r.config, defaultConfig());
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.source, { file: null, env: [], overrides: [] });
});

Deno.test("warnings for settings that cannot take effect", () => {
  const cases: [Record<string, unknown>, string[]][] = [
    [{ "rtmp.ssl": true }, [
      "rtmp.ssl is true but ssl.serverkey and ssl.servercert are not both set: the RTMPS listener stays off",
    ]],
    [{ "http.ssl": true, "ssl.serverkey": "k" }, [
      "http.ssl is true but ssl.serverkey and ssl.servercert are not both set: the HTTPS listener stays off",
    ]],
    [{ "http.ssl": true, "ssl.serverkey": "k", "ssl.servercert": "c" }, []],
    [{ "srt.pbkeylen": 16 }, ["srt.pbkeylen is 16 but srt.passphrase is empty: SRT stays unencrypted"]],
    [{ "ssl.serverca": "ca.pem" }, [
      "ssl.serverca is set but client certificates are not checked: the TLS listeners cannot ask for them " +
      "(Deno's TLS server has no client authentication); use the auth callback or a TLS proxy for that",
    ]],
  ];
  for (const [overrides, want] of cases) {
    assert.deepEqual(loadConfig({ overrides: overrides as never }).warnings, want);
  }
});
