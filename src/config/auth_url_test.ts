import assert from "node:assert/strict";
import { authBaseUrl } from "./auth_url.ts";

Deno.test("authBaseUrl: host, scheme and router forms", () => {
  const cases: [string, string, string][] = [
    ["", "/api/auth", ""],
    ["10.0.0.2:8181", "/api/auth", "http://10.0.0.2:8181/api/auth"],
    ["10.0.0.2:8181/", "api/auth/", "http://10.0.0.2:8181/api/auth"],
    ["https://auth.example.com", "", "https://auth.example.com"],
    ["HTTP://a:1", "/x", "HTTP://a:1/x"],
  ];
  for (const [host, router, want] of cases) {
    assert.equal(authBaseUrl(host, router), want, `${host} ${router}`);
  }
});
