import assert from "node:assert/strict";
import { AuthError } from "../core/mod.ts";
import { AllowCache, authUrl, createAuthorizer, createHttpAuthorizer, shownAuthUrl } from "./mod.ts";

Deno.test("authUrl: smart_rtmpd's shape; the client cannot set type or role", () => {
  const base = "http://10.0.0.2:8181/api/auth";
  const cases: { path: string; query: string; type: string; role: string; want: string }[] = [
    {
      path: "live/stream",
      query: "user=admin&token=x",
      type: "rtmp",
      role: "publisher",
      want: `${base}/live/stream?user=admin&token=x&type=rtmp&role=publisher`,
    },
    {
      path: "live/s.flv",
      query: "",
      type: "http",
      role: "player",
      want: `${base}/live/s.flv?type=http&role=player`,
    },
    {
      path: "live/s",
      query: "?token=a&role=publisher&TYPE=x&%72ole=y&&b",
      type: "rtsp",
      role: "player",
      want: `${base}/live/s?token=a&b&type=rtsp&role=player`,
    },
    {
      path: "/vod/a b/c.mp4",
      query: "",
      type: "http",
      role: "download",
      want: `${base}/vod/a%20b/c.mp4?type=http&role=download`,
    },
  ];
  for (const c of cases) assert.equal(authUrl(base, c), c.want);
});

/** A tiny auth server: 200 for token=good, 403 otherwise; token=slow never answers in time. */
function authServer() {
  const seen: { url: string; ua: string | null }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    seen.push({ url: req.url, ua: req.headers.get("user-agent") });
    const token = new URL(req.url).searchParams.get("token");
    if (token === "slow") await new Promise((r) => setTimeout(r, 400));
    if (token === "redirect") return new Response(null, { status: 302, headers: { location: "/ok" } });
    return new Response(token === "good" ? "ok" : "no", { status: token === "good" ? 200 : 403 });
  });
  return { server, seen, host: `127.0.0.1:${server.addr.port}` };
}

Deno.test("createAuthorizer: 200 allows; 403, redirects, timeouts and network errors deny", async () => {
  const { server, seen, host } = authServer();
  try {
    assert.equal(createAuthorizer({ url: "" }), undefined);
    const auth = createAuthorizer({ url: `http://${host}/api/auth`, timeoutMs: 150 })!;
    const req = { role: "publisher" as const, protocol: "rtmp", app: "live", name: "cam", vhost: "h" };
    const cases: { query: string; deny?: RegExp }[] = [
      { query: "token=good" },
      { query: "token=bad", deny: /answered 403/ },
      { query: "token=redirect", deny: /answered 302/ },
      { query: "token=slow", deny: /did not answer within 150 ms/ },
    ];
    for (const c of cases) {
      const p = auth({ ...req, query: c.query });
      if (c.deny) await assert.rejects(p, (e) => e instanceof AuthError && c.deny!.test(e.message));
      else await p;
    }
    assert.equal(seen[0].url, `http://${host}/api/auth/live/cam?token=good&type=rtmp&role=publisher`);
    assert.equal(seen[0].ua, "smart_rtmpd");

    const play = createAuthorizer({ url: `http://${host}/cb` })!;
    await play({
      role: "player",
      protocol: "http",
      app: "live",
      name: "cam",
      ext: ".flv",
      vhost: "h",
      query: "token=good",
    });
    assert.equal(seen.at(-1)!.url, `http://${host}/cb/live/cam.flv?token=good&type=http&role=player`);

    const api = createHttpAuthorizer({ url: `http://${host}/api/auth` })!;
    await api({ role: "api", path: "api/live", query: "token=good" });
    assert.equal(seen.at(-1)!.url, `http://${host}/api/auth/api/live?token=good&type=http&role=api`);
    await assert.rejects(api({ role: "download", path: "vod/a.mp4", query: "" }), AuthError);
  } finally {
    await server.shutdown();
  }
  // Nothing listens there any more: a network error denies.
  const gone = createAuthorizer({ url: `http://${host}`, timeoutMs: 1000 })!;
  await assert.rejects(
    gone({ role: "player", protocol: "rtmp", app: "live", name: "x", vhost: "", query: "" }),
    (e) => e instanceof AuthError && /failed/.test(e.message),
  );
});

Deno.test("AllowCache: an allow is reused for its URL until it expires; one question at a time per URL; denials are not kept", async () => {
  let asked = 0, answer: "allow" | "deny" = "allow";
  const asker = async () => {
    asked++;
    await new Promise((r) => setTimeout(r, 20));
    if (answer === "deny") throw new AuthError("denied");
  };
  const cache = new AllowCache(1000);
  // A join storm: five players with the same URL, one callback.
  await Promise.all([1, 2, 3, 4, 5].map(() => cache.ask("u1", asker)));
  assert.equal(asked, 1);
  await cache.ask("u1", asker);
  assert.equal(asked, 1, "reused within the TTL");
  await cache.ask("u1", asker, Date.now() + 1001);
  assert.equal(asked, 2, "asked again once expired");
  answer = "deny";
  await assert.rejects(Promise.all([cache.ask("u2", asker), cache.ask("u2", asker)]), AuthError);
  assert.equal(asked, 3, "the two waited for one denial");
  answer = "allow";
  await cache.ask("u2", asker);
  assert.equal(asked, 4, "a denial is not kept: the fixed token is asked at once");
  const off = new AllowCache(0);
  await off.ask("u3", asker);
  await off.ask("u3", asker);
  assert.equal(asked, 6, "ttl 0: every time");
});

Deno.test("shownAuthUrl: the client's values (a token) are masked in logs and errors; type and role stay", () => {
  assert.equal(
    shownAuthUrl("http://u:p@10.0.0.2:8181/api/auth/live/cam?token=s3cret&x&type=rtmp&role=player"),
    "http://10.0.0.2:8181/api/auth/live/cam?token=…&x&type=rtmp&role=player",
  );
  assert.equal(shownAuthUrl("http://h/cb/live/cam"), "http://h/cb/live/cam");
});
