import assert from "node:assert/strict";
import { loadConfig } from "./load.ts";
import { setXmlValue } from "./xml_edit.ts";

const DOC = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>
<!-- example: <authurl router="/x">host:1</authurl> <rtmp><port>1</port></rtmp> -->
<config>
  <authurl timeout="3000" router=""></authurl>
  <rtp min="30000" max="60000" />
  <rtmp>
    <!-- the port -->
    <port>1935</port>
    <ip />
  </rtmp>
  <rtc>
    <codec audio="opus" video="h264" />
  </rtc>
</config>
`;

Deno.test("setXmlValue: edits in place (attributes, child elements, text), keeps comments, BOM and layout", () => {
  let t = setXmlValue(DOC, ["rtmp", "port"], "1936");
  assert.ok(t.includes("<port>1936</port>"));
  assert.ok(
    t.includes('<!-- example: <authurl router="/x">host:1</authurl> <rtmp><port>1</port></rtmp> -->'),
    "comments untouched",
  );
  assert.ok(t.startsWith("\uFEFF<?xml"));
  t = setXmlValue(t, ["rtp", "min"], "31000");
  assert.ok(t.includes('<rtp min="31000" max="60000" />'));
  t = setXmlValue(t, ["rtp", "que"], "500");
  assert.ok(t.includes('<rtp min="31000" max="60000" que="500" />'));
  t = setXmlValue(t, ["authurl", "host"], "10.0.0.2:8181", "host");
  assert.ok(t.includes('<authurl timeout="3000" router="">10.0.0.2:8181</authurl>'));
  t = setXmlValue(t, ["authurl", "router"], "/api/auth", "host");
  assert.ok(t.includes('router="/api/auth"'));
  t = setXmlValue(t, ["rtmp", "ip"], "127.0.0.1");
  assert.ok(t.includes("<ip>127.0.0.1</ip>"));
  t = setXmlValue(t, ["rtmp", "chunksize"], "4096");
  assert.ok(
    t.includes("\n    <chunksize>4096</chunksize>\n  </rtmp>"),
    "a missing element is added, indented",
  );
  t = setXmlValue(t, ["rtc", "codec", "audio"], "pcma");
  assert.ok(t.includes('<codec audio="pcma" video="h264" />'));
  t = setXmlValue(t, ["http", "hlsduration"], "2");
  assert.match(
    t,
    /\n {2}<http><hlsduration>2<\/hlsduration><\/http>\n<\/config>/,
    "a missing section is added",
  );
  t = setXmlValue(t, ["srt", "passphrase"], 'a<b&c>d"e-0123');
  assert.ok(t.includes('<srt><passphrase>a&lt;b&amp;c&gt;d"e-0123</passphrase></srt>'), "escaped");
  // The result still loads, with every edit in it.
  const { config } = loadConfig({ text: t });
  assert.equal(config.srt.passphrase, 'a<b&c>d"e-0123', "round trip through the escaping");
  assert.equal(config.rtmp.port, 1936);
  assert.equal(config.rtp.min, 31000);
  assert.equal(config.authurl.host, "10.0.0.2:8181");
  assert.equal(config.rtmp.chunksize, 4096);
  assert.equal(config.rtc.codec.audio, "pcma");
  assert.equal(config.http.hlsduration, 2);
});

Deno.test("setXmlValue: CRLF files stay CRLF; broken XML is refused", () => {
  const crlf = "<config>\r\n  <rtmp>\r\n  </rtmp>\r\n</config>\r\n";
  assert.equal(
    setXmlValue(crlf, ["rtmp", "port"], "1"),
    "<config>\r\n  <rtmp>\r\n    <port>1</port>\r\n  </rtmp>\r\n</config>\r\n",
  );
  assert.throws(() => setXmlValue("<config><rtmp></config>", ["rtmp", "port"], "1"), /does not close/);
});
