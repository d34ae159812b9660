import assert from "node:assert/strict";
import { leafPaths } from "../src/config/mod.ts";
import { configMeta } from "./config_meta.ts";

Deno.test("config meta: docs/config.md describes every element the schema has, matched by its variable", async () => {
  const meta = configMeta(await Deno.readTextFile(new URL("../docs/config.md", import.meta.url)));
  const paths = new Set(meta.map((m) => m.path));
  const missing = leafPaths().map((p) => p.join(".")).filter((p) => !paths.has(p));
  assert.deepEqual(missing, []);
  const port = meta.find((m) => m.path === "rtmp.port")!;
  assert.equal(port.default, "1935");
  assert.ok(port.meaning.length > 5);
});
