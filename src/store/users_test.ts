import assert from "node:assert/strict";
import { Store } from "./db.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { smartLoginForm, UserError, UserStore } from "./users.ts";

Deno.test("password: scrypt hash verifies the right password only; a malformed stored value is false", async () => {
  const h = await hashPassword("correct horse");
  assert.match(h, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.notEqual(h, await hashPassword("correct horse"), "a fresh salt each time");
  assert.equal(await verifyPassword("correct horse", h), true);
  assert.equal(await verifyPassword("correct horsf", h), false);
  for (const bad of ["", "md5$x", "scrypt$0$8$1$AA==$AA==", "scrypt$99999999$8$1$AA==$AA=="]) {
    assert.equal(await verifyPassword("x", bad), false, bad);
  }
});

Deno.test("users: add, verify, roles, password change; refusals name the value and the rule; the last admin stays", async () => {
  const store = new Store(":memory:");
  try {
    const users = new UserStore(store);
    await users.add("admin", "s3cret-pass", "admin");
    await users.add("eve", "viewer-pass", "viewer");
    assert.deepEqual(users.list().map((u) => [u.name, u.role]), [["admin", "admin"], ["eve", "viewer"]]);
    assert.equal((await users.verify("admin", "s3cret-pass"))?.role, "admin");
    assert.equal(await users.verify("admin", "wrong-pass"), undefined);
    assert.equal(await users.verify("nobody", "s3cret-pass"), undefined);
    await assert.rejects(
      () => users.add("admin", "another-pass", "admin"),
      /user admin refused: the name is taken/,
    );
    await assert.rejects(
      () => users.add("bad name", "another-pass", "admin"),
      /user name "bad name" refused/,
    );
    await assert.rejects(
      () => users.add("bob", "short", "admin"),
      /password refused: must be 8..256 characters/,
    );
    await assert.rejects(() => users.add("bob", "long-enough", "root" as "admin"), /role "root" refused/);
    assert.throws(
      () => users.remove("admin"),
      (e: unknown) => e instanceof UserError && /last admin/.test(e.message),
    );
    assert.throws(() => users.setRole("admin", "viewer"), /last admin stays admin/);
    await users.setPassword("eve", "new-viewer-pass");
    assert.equal(await users.verify("eve", "viewer-pass"), undefined);
    assert.equal((await users.verify("eve", "new-viewer-pass"))?.name, "eve");
    users.setRole("eve", "admin");
    users.remove("admin");
    assert.equal(users.count(), 1);
    store.setSetting("k", "v1");
    store.setSetting("k", "v2");
    assert.equal(store.setting("k"), "v2");
    assert.equal(store.setting("missing"), undefined);
  } finally {
    store.close();
  }
});

Deno.test("users: smart_rtmpd's login form (hex md5(md5(password))) verifies too; only scrypt hashes are stored", async () => {
  const store = new Store(":memory:");
  try {
    const users = new UserStore(store);
    await users.add("admin", "s3cret-pass", "admin");
    const form = smartLoginForm("s3cret-pass");
    assert.match(form, /^[0-9a-f]{32}$/);
    assert.equal((await users.verify("admin", form))?.name, "admin");
    assert.equal(await users.verify("admin", smartLoginForm("other-pass")), undefined);
    const row = store.db.prepare("select hash, legacy from users").get() as { hash: string; legacy: string };
    assert.ok(row.legacy.startsWith("scrypt$") && !row.legacy.includes(form));
    await users.setPassword("admin", "n3w-secret-pass");
    assert.equal(await users.verify("admin", form), undefined, "the old form no longer works");
    assert.equal((await users.verify("admin", smartLoginForm("n3w-secret-pass")))?.name, "admin");
  } finally {
    store.close();
  }
});
