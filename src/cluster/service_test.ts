import assert from "node:assert/strict";
import { ConfigError } from "../core/mod.ts";
import { defaultConfig, loadConfig, loadPolicy, parsePolicy } from "../config/mod.ts";
import { shippedConfig } from "../config/_test_util.ts";
import { type ClusterSettings, clusterSettings } from "./service.ts";

const { policy } = parsePolicy(
  `<policy><vhosts><vhost name="rtmp://a.com/live"><forward rewrite="">b.com</forward></vhost></vhosts></policy>`,
);

const DEFAULTS: ClusterSettings = {
  policy,
  reconnectMs: 10_000,
  timeoutMs: 5000,
  tls: {},
  ownHost: "localhost",
};

Deno.test("clusterSettings: off without policy rules (defaults, smart_rtmpd's shipped files)", () => {
  const shippedPolicy = loadPolicy(
    new URL("../config/testdata/smart_rtmpd_policy.xml.txt", import.meta.url).pathname,
  );
  assert.equal(clusterSettings(defaultConfig(), "/srv/estuary"), null);
  assert.equal(clusterSettings(shippedConfig(), "/srv/estuary", shippedPolicy.policy), null);
});

Deno.test("clusterSettings: the built-in defaults and smart_rtmpd's shipped config.xml with a rule", () => {
  assert.deepEqual(clusterSettings(defaultConfig(), "/srv/estuary", policy), DEFAULTS);
  assert.deepEqual(clusterSettings(shippedConfig(), "/srv/estuary", policy), DEFAULTS);
});

Deno.test("clusterSettings: reconnect, fwdtimeout, own host and client TLS files", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${root}/ca.pem`, "CA");
    await Deno.writeTextFile(`${root}/c.pem`, "CERT");
    await Deno.writeTextFile(`${root}/k.pem`, "KEY");
    const cases: [Record<string, string | number>, Partial<ClusterSettings>][] = [
      [{ "cluster.reconnect": 2, "rtmp.fwdtimeout": 1500 }, { reconnectMs: 2000, timeoutMs: 1500 }],
      [{ "rtmp.ip": "10.0.0.5" }, { ownHost: "10.0.0.5" }],
      [{ "rtmp.ip": "10.0.0.5", "nat.rtmp": "pub.example:1935" }, { ownHost: "pub.example" }],
      [{ "cluster.rtmp": "edge.example:19350", "nat.rtmp": "pub.example" }, { ownHost: "edge.example" }],
      [{ "ssl.clientca": "ca.pem" }, { tls: { caCerts: ["CA"] } }],
      [{ "ssl.clientcert": "c.pem", "ssl.clientkey": "k.pem" }, { tls: { cert: "CERT", key: "KEY" } }],
    ];
    for (const [overrides, want] of cases) {
      const { config } = loadConfig({ overrides });
      assert.deepEqual(
        clusterSettings(config, root, policy),
        { ...DEFAULTS, ...want },
        JSON.stringify(overrides),
      );
    }
    const bad: [Record<string, string>, string][] = [
      [{ "ssl.clientca": "nope.pem" }, `<ssl><clientca> "${root}/nope.pem" cannot be read`],
      [{ "ssl.clientcert": "c.pem" }, "<ssl><clientkey> is empty while <ssl><clientcert> is set"],
    ];
    for (const [overrides, want] of bad) {
      const { config } = loadConfig({ overrides });
      assert.throws(
        () => clusterSettings(config, root, policy),
        (e) => e instanceof ConfigError && e.message.startsWith(want),
        want,
      );
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
