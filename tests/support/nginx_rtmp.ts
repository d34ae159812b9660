/**
 * nginx with libnginx-mod-rtmp as a third-party RTMP server (a forward target or origin): its own temp
 * prefix, one loopback port, `application live { live on; }`. stop() and start() again keep the port
 * (a target that restarts).
 */
import { requireTool, terminate } from "./tools.ts";

const MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

export interface NginxRtmp {
  readonly port: number;
  rtmp(path: string): string;
  /** Starts it (again) on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it (SIGTERM, then SIGKILL) and waits. */
  stop(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function waitPort(port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`nginx-rtmp did not listen on 127.0.0.1:${port} within ${ms} ms`);
}

export async function startNginxRtmp(): Promise<NginxRtmp> {
  requireTool("nginx");
  try {
    Deno.statSync(MODULE);
  } catch {
    throw new Error(`required test tool nginx-rtmp is not installed (${MODULE}; apt libnginx-mod-rtmp)`);
  }
  const dir = await Deno.makeTempDir({ prefix: "nginx-rtmp-test-" });
  const port = freePort();
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
load_module ${MODULE};
events { worker_connections 256; }
rtmp {
  server {
    listen 127.0.0.1:${port};
    chunk_size 4096;
    application live { live on; }
  }
}
`,
  );
  let child: Deno.ChildProcess | undefined;
  const stop = async () => {
    const c = child;
    child = undefined;
    if (c) await terminate(c);
  };
  const start = async () => {
    if (child) return;
    child = new Deno.Command("nginx", {
      args: ["-p", dir, "-e", `${dir}/error.log`, "-c", `${dir}/nginx.conf`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitPort(port, 10_000);
  };
  await start();
  return {
    port,
    rtmp: (path) => `rtmp://127.0.0.1:${port}${path}`,
    start,
    stop,
    async close() {
      await stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
