import assert from "node:assert/strict";
import { checkConfig } from "./check_config.ts";

Deno.test("checkConfig: good, bad value, bad XML, missing file, unknown element, bad certificate", async () => {
  const dir = await Deno.makeTempDir();
  const write = async (name: string, text: string) => {
    await Deno.writeTextFile(`${dir}/${name}`, text);
    return `${dir}/${name}`;
  };
  try {
    const good = await write("good.xml", "<config><rtmp><port>1936</port></rtmp></config>");
    assert.deepEqual(checkConfig({ file: good, root: dir }), { ok: true, what: good, warnings: [] });

    const bad = checkConfig({
      file: await write("bad.xml", "<config><rtmp><port>99999</port></rtmp></config>"),
      root: dir,
    });
    assert.equal(bad.ok, false);
    assert.match(bad.error!, /rtmp\.port = "99999" is invalid/);

    const broken = checkConfig({ file: await write("broken.xml", "<config><rtmp>"), root: dir });
    assert.equal(broken.ok, false);
    assert.match(broken.error!, /broken\.xml/);

    const missing = checkConfig({ file: `${dir}/none.xml`, root: dir });
    assert.equal(missing.ok, false);
    assert.match(missing.error!, /none\.xml cannot be read: no such file/);

    const unknown = checkConfig({
      file: await write("unknown.xml", "<config><rtmp><prot>1</prot></rtmp></config>"),
      root: dir,
    });
    assert.equal(unknown.ok, true);
    assert.ok(unknown.warnings.some((w) => /prot/.test(w)), unknown.warnings.join("\n"));

    const tls = checkConfig({
      file: await write(
        "tls.xml",
        "<config><ssl><serverkey>nokey.pem</serverkey><servercert>nocert.pem</servercert></ssl><rtmp><ssl>true</ssl></rtmp></config>",
      ),
      root: dir,
    });
    assert.equal(tls.ok, false, "an unreadable certificate fails the check as it fails a start");
    assert.match(tls.error!, /no(cert|key)\.pem/);

    const env = checkConfig({ file: good, env: { ESTUARY_RTMP_PORT: "x" }, root: dir });
    assert.equal(env.ok, false);
    assert.match(env.error!, /rtmp\.port = "x".*environment ESTUARY_RTMP_PORT/);

    assert.equal(checkConfig({ root: dir }).ok, true, "no file: the built-in defaults are valid");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
