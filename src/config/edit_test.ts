import assert from "node:assert/strict";
import { planConfigEdit, saveConfigFile } from "./edit.ts";
import { loadConfig } from "./load.ts";

const FILE = `<config>
  <!-- live segments -->
  <http>
    <hlsduration>5</hlsduration>
  </http>
</config>
`;

Deno.test("planConfigEdit: the diff of what changes; unknown elements and bad values refused by name; env wins", () => {
  const running = loadConfig({ text: FILE }).config;
  const plan = planConfigEdit(FILE, {
    "http.hlsduration": 2,
    "rtmp.playwait": "7",
    "srt.passphrase": "0123456789ab",
  }, running);
  const byPath = (a: { path: string }, b: { path: string }) => a.path < b.path ? -1 : 1;
  assert.deepEqual([...plan.diff].sort(byPath), [
    { path: "http.hlsduration", from: 5, to: 2 },
    { path: "rtmp.playwait", from: running.rtmp.playwait, to: 7 },
    { path: "srt.passphrase", from: "", to: "********" },
  ]);
  assert.ok(plan.text.includes("<!-- live segments -->"));
  assert.throws(
    () => planConfigEdit(FILE, { "http.nosuch": 1 }, running),
    /config element http.nosuch is unknown/,
  );
  assert.throws(() => planConfigEdit(FILE, { "http.hlsduration": "abc" }, running), /http\.hlsduration/);
  const same = planConfigEdit(FILE, { "http.hlsduration": 5, "rtmp.port": running.rtmp.port }, running);
  assert.equal(same.text, FILE, "values equal to those in force are not written");
  const envWins = planConfigEdit(FILE, { "http.hlsduration": 3 }, running, { ESTUARY_HTTP_HLSDURATION: "5" });
  assert.deepEqual(envWins.diff, [], "the environment still sets it: nothing changes");
});

Deno.test("saveConfigFile: atomic replace with a .bak of the previous file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/config.xml`, "old");
    await saveConfigFile(`${dir}/config.xml`, "new");
    assert.equal(await Deno.readTextFile(`${dir}/config.xml`), "new");
    assert.equal(await Deno.readTextFile(`${dir}/config.xml.bak`), "old");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["config.xml", "config.xml.bak"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
