/**
 * Files edited on Windows: CRLF line endings and a UTF-8 byte order mark (smart_rtmpd's own files
 * start with one) load exactly like LF files without it, for config.xml and policy.xml, from text
 * and from disk.
 */
import assert from "node:assert/strict";
import { loadConfig, loadPolicy, parsePolicy } from "./mod.ts";

const BOM = "\uFEFF";
const crlf = (s: string) => s.replaceAll("\r\n", "\n").replaceAll("\n", "\r\n");
const read = (name: string) => Deno.readTextFileSync(new URL(`./testdata/${name}`, import.meta.url));

/** The same text as LF without BOM, LF with BOM, CRLF without BOM and CRLF with BOM. */
function variants(text: string): [string, string][] {
  const lf = text.replace(/^\uFEFF/, "").replaceAll("\r\n", "\n");
  return [["LF", lf], ["LF+BOM", BOM + lf], ["CRLF", crlf(lf)], ["CRLF+BOM", BOM + crlf(lf)]];
}

Deno.test("config.xml: CRLF and a UTF-8 BOM change nothing (smart_rtmpd's file and a multi-line list)", () => {
  const own = `<?xml version="1.0" encoding="utf-8"?>
<config>
  <rtmp>
    <port>1940</port>
    <live>live,
      tv</live>
  </rtmp>
  <authurl timeout="2000" router="/auth">127.0.0.1:8000</authurl>
</config>
`;
  for (const source of [read("smart_rtmpd_config.xml.txt"), own]) {
    const [[, lf], ...others] = variants(source);
    const want = loadConfig({ text: lf });
    for (const [name, text] of others) {
      const got = loadConfig({ text });
      assert.deepEqual(got.config, want.config, name);
      assert.deepEqual(got.warnings, want.warnings, name);
    }
  }
  const c = loadConfig({ text: BOM + crlf(own) }).config;
  assert.equal(c.rtmp.port, 1940);
  assert.deepEqual(c.rtmp.liveApps, ["live", "tv"]);
  assert.equal(c.authurl.url, "http://127.0.0.1:8000/auth");
});

Deno.test("policy.xml: CRLF and a UTF-8 BOM change nothing (smart_rtmpd's file, from text and from disk)", async () => {
  const [[, lf], ...others] = variants(read("smart_rtmpd_policy.xml.txt"));
  const want = parsePolicy(lf);
  assert.ok(want.policy, "the shipped policy parses");
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, text] of others) {
      assert.deepEqual(parsePolicy(text), want, name);
      await Deno.writeTextFile(`${dir}/policy.xml`, text);
      assert.deepEqual(loadPolicy(`${dir}/policy.xml`).policy, want.policy, `${name} from disk`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config.xml from disk: CRLF with BOM loads, and a bad value still names the element", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/config.xml`,
      BOM + crlf("<config>\n<rtmp>\n<port>1941</port>\n</rtmp>\n</config>\n"),
    );
    assert.equal(loadConfig({ file: `${dir}/config.xml` }).config.rtmp.port, 1941);
    await Deno.writeTextFile(
      `${dir}/bad.xml`,
      BOM + crlf("<config>\n<rtmp>\n<port>70000</port>\n</rtmp>\n</config>\n"),
    );
    assert.throws(() => loadConfig({ file: `${dir}/bad.xml` }), /rtmp\.port = "70000" is invalid/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
