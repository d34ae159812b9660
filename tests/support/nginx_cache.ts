/**
 * nginx as an HTTP cache in front of an origin (what a CDN edge does): `proxy_cache` with
 * `proxy_cache_lock`, honouring the origin's Cache-Control. Its access log records, per request, the
 * URI, `$upstream_cache_status` and whether the request reached the origin, so a test counts what the
 * origin served.
 */
import { requireTool } from "./tools.ts";

export interface CacheLogEntry {
  uri: string;
  /** HIT, MISS, EXPIRED, UPDATING, STALE, REVALIDATED, BYPASS or "-". */
  cache: string;
  status: number;
  /** The request went to the origin. */
  origin: boolean;
}

export interface NginxCache {
  readonly port: number;
  url(path: string): string;
  /** The access log so far. */
  log(): Promise<CacheLogEntry[]>;
  close(): Promise<void>;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

export async function startNginxCache(origin: { port: number }): Promise<NginxCache> {
  requireTool("nginx");
  const dir = await Deno.makeTempDir({ prefix: "nginx-cache-test-" });
  const port = freePort();
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  log_format cache '$request_uri $upstream_cache_status $status $upstream_addr';
  access_log ${dir}/access.log cache;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=media:10m max_size=512m inactive=10m use_temp_path=off;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${origin.port};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache media;
      proxy_cache_lock on;
      proxy_cache_lock_timeout 15s;
      proxy_cache_lock_age 15s;
      proxy_cache_use_stale updating;
      proxy_read_timeout 30s;
    }
  }
}
`,
  );
  const child = new Deno.Command("nginx", {
    args: ["-p", dir, "-e", `${dir}/error.log`, "-c", `${dir}/nginx.conf`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const end = Date.now() + 10_000;
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      if (Date.now() > end) throw new Error(`nginx cache did not listen on 127.0.0.1:${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    async log() {
      const text = await Deno.readTextFile(`${dir}/access.log`).catch(() => "");
      return text.split("\n").filter((l) => l).map((l) => {
        const [uri, cache, status, upstream] = l.split(" ");
        return { uri, cache, status: Number(status), origin: upstream !== "-" };
      });
    },
    async close() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
