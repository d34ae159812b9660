import assert from "node:assert/strict";
import { Store, UserStore } from "../store/mod.ts";
import { LoginBackoff } from "./backoff.ts";
import { Tokens } from "./tokens.ts";

Deno.test("tokens: signed, expiring, revocable; a password change or a removed user ends them; the secret persists", async () => {
  const store = new Store(":memory:");
  try {
    const users = new UserStore(store);
    await users.add("admin", "s3cret-pass", "admin");
    await users.add("eve", "viewer-pass", "viewer");
    let now = 1_000_000;
    const tokens = new Tokens(store, users, 60_000, () => now);
    const { token, expires } = tokens.issue("admin");
    assert.equal(expires, now + 60_000);
    const ok = tokens.verify(token);
    assert.ok("user" in ok && ok.user.role === "admin");
    // Another instance over the same store (a restart) accepts it.
    assert.ok("user" in new Tokens(store, users, 60_000, () => now).verify(token));
    const [body, sig] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ u: "admin", iat: now, exp: now + 1e9, id: "x" })).toString(
      "base64url",
    );
    assert.deepEqual(tokens.verify(`${forged}.${sig}`), { refused: "bad token signature" });
    assert.deepEqual(tokens.verify("nonsense"), { refused: "malformed token" });
    assert.deepEqual(tokens.verify(`${body}.${sig.slice(1)}`), { refused: "bad token signature" });
    now += 60_001;
    assert.deepEqual(tokens.verify(token), { refused: "token expired" });
    now -= 60_001;
    if ("user" in ok) tokens.revoke(ok.id, ok.exp);
    assert.deepEqual(tokens.verify(token), { refused: "logged out" });
    const eve = tokens.issue("eve").token;
    now += 1;
    tokens.revokeUser("eve");
    assert.deepEqual(tokens.verify(eve), { refused: "password changed since login" });
    const eve2 = tokens.issue("eve").token;
    assert.ok("user" in tokens.verify(eve2));
    users.remove("eve");
    assert.deepEqual(tokens.verify(eve2), { refused: "user eve no longer exists" });
  } finally {
    store.close();
  }
});

Deno.test("login backoff: three free failures, then 1 s doubling to 60 s; success clears; forgotten after 15 min", () => {
  let now = 0;
  const b = new LoginBackoff(() => now);
  for (let i = 0; i < 3; i++) {
    assert.equal(b.waitMs("1.2.3.4"), 0);
    b.failed("1.2.3.4");
  }
  assert.equal(b.waitMs("1.2.3.4"), 1000);
  assert.equal(b.waitMs("5.6.7.8"), 0, "other addresses are not slowed");
  now += 1000;
  b.failed("1.2.3.4");
  assert.equal(b.waitMs("1.2.3.4"), 2000);
  for (let i = 0; i < 10; i++) b.failed("1.2.3.4");
  assert.equal(b.waitMs("1.2.3.4"), 60_000);
  b.succeeded("1.2.3.4");
  assert.equal(b.waitMs("1.2.3.4"), 0);
  for (let i = 0; i < 5; i++) b.failed("9.9.9.9");
  now += 15 * 60_000 + 1;
  assert.equal(b.waitMs("9.9.9.9"), 0);
});
