/**
 * Listening sockets that worker processes share. With `<workers>` above 1 every worker opens the same
 * RTMP, HTTP and RTSP ports with SO_REUSEPORT and the Linux kernel spreads new connections over them.
 * This is a property of the process (a worker shares every public listener it opens), set once at
 * start by the worker entry point, not a per-service setting: the listeners below read it when they
 * open a socket.
 */

let sharing = false;

/** Turns port sharing on (a worker process) or off (a single process). */
export function sharePorts(on: boolean): void {
  sharing = on;
}

/** Whether listeners opened now share their port with sibling workers. */
export function sharingPorts(): boolean {
  return sharing;
}

/** Deno.listen (TCP), sharing the port when this process is a worker. */
export function listenTcp(o: { hostname: string; port: number }): Deno.TcpListener {
  return Deno.listen({ hostname: o.hostname, port: o.port, transport: "tcp", reusePort: sharing });
}

/** Deno.listenTls, sharing the port when this process is a worker. */
export function listenTls(
  o: { hostname: string; port: number; cert: string; key: string },
): Deno.TlsListener {
  return Deno.listenTls({ hostname: o.hostname, port: o.port, cert: o.cert, key: o.key, reusePort: sharing });
}
