/** Shared by the tests/http_*_test.ts files: deps for an HTTP server on port 0 with a test Hub. */
import type { Hub, Stream } from "../src/core/mod.ts";
import { nullLogger } from "../src/log/mod.ts";
import {
  createHttpServer,
  defaultHttpOptions,
  type HttpDeps,
  type HttpOptions,
  type HttpServer,
} from "../src/http/mod.ts";

export function testHttpDeps(
  hub: Hub,
  options: Partial<HttpOptions> = {},
  extra: Partial<HttpDeps> = {},
): HttpDeps {
  const startTime = new Date("2026-01-02T03:04:05Z");
  return {
    hub,
    log: nullLogger,
    options: defaultHttpOptions({ playWaitMs: 0, ...options }),
    status: () => ({
      services: { http: { port: 8080, run: true, ssl: false }, rtmp: { port: 1935, run: true, ssl: false } },
      startTime,
    }),
    publicUrls: (s: Stream, host: string) => [
      { type: "rtmp", url: `rtmp://${host}:1935/${s.app}/${s.name}` },
      { type: "http-flv", url: `http://${host}:8080/${s.app}/${s.name}.flv` },
    ],
    ...extra,
  };
}

export async function startHttp(
  deps: HttpDeps,
  tls?: { cert: string; key: string },
): Promise<HttpServer> {
  const server = createHttpServer({
    deps,
    log: nullLogger,
    hostname: "127.0.0.1",
    port: 0,
    tls: tls ? { ...tls, port: 0 } : undefined,
  });
  await server.start();
  return server;
}

/** Sends one raw request line (no client-side URL normalisation) and returns the status code. */
export async function rawStatus(port: number, target: string): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(
      new TextEncoder().encode(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
    );
    let text = "";
    const buf = new Uint8Array(4096);
    while (!text.includes("\r\n")) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  } finally {
    conn.close();
  }
}
