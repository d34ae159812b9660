/** The shipped conf/ files and docs/config.md must stay in step with the schema. */
import assert from "node:assert/strict";
import { CONFIG_SPEC, leafPaths } from "./_spec.ts";
import { defaultConfig, envName, loadConfig, loadPolicy } from "./mod.ts";
import { XML_TEXT_FIELDS } from "./schema.ts";
import { mapItem, parseXmlRoot } from "./xml.ts";

const root = new URL("../../", import.meta.url);
const CONF = new URL("conf/config.xml", root).pathname;

Deno.test("conf/config.xml loads with no warnings and holds exactly the built-in defaults", () => {
  const { config, warnings } = loadConfig({ file: CONF });
  assert.deepEqual(warnings, []);
  assert.deepEqual(config, defaultConfig());
});

Deno.test("conf/config.xml spells out every element", () => {
  const name = "conf/config.xml";
  const { item } = parseXmlRoot(Deno.readTextFileSync(CONF), name, "config");
  const raw = mapItem(item, CONFIG_SPEC, [], { name, textFields: XML_TEXT_FIELDS, warnings: [] });
  for (const path of leafPaths()) {
    const v = path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], raw);
    const emptyByDefault = path.reduce<unknown>((o, k) =>
      (o as Record<string, unknown>)[k], defaultConfig()) === "";
    assert.ok(v !== undefined || emptyByDefault && path[0] === "authurl", `${path.join("/")} is missing`);
  }
});

Deno.test("docs/config.md documents every element's environment variable", () => {
  const doc = Deno.readTextFileSync(new URL("docs/config.md", root));
  const missing = leafPaths().map(envName).filter((n) => !doc.includes("`" + n + "`"));
  assert.deepEqual(missing, []);
});

Deno.test("conf/policy.xml loads with no warnings and no forwards", () => {
  assert.deepEqual(loadPolicy(new URL("conf/policy.xml", root).pathname), {
    policy: { vhosts: [], urls: [], pulls: [] },
    warnings: [],
  });
});
