import assert from "node:assert/strict";
import { CookieJar } from "./cookie.ts";

Deno.test("SYN cookies: valid for this minute and the previous one, per address", () => {
  const jar = new CookieJar();
  const t = 1_700_000_000_000;
  const c = jar.bake("127.0.0.1", 5000, t);
  assert.notEqual(c, 0);
  const cases: [string, string, number, number, boolean][] = [
    ["same minute", "127.0.0.1", 5000, t + 1000, true],
    ["next minute", "127.0.0.1", 5000, t + 60_000, true],
    ["two minutes later", "127.0.0.1", 5000, t + 120_000, false],
    ["other port", "127.0.0.1", 5001, t, false],
    ["other host", "127.0.0.2", 5000, t, false],
  ];
  for (const [name, host, port, now, ok] of cases) assert.equal(jar.check(c, host, port, now), ok, name);
  assert.equal(new CookieJar().check(c, "127.0.0.1", 5000, t), false, "another jar's secret");
});
