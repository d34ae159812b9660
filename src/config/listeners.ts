/**
 * Which sockets the configuration asks for. The composition root starts exactly these, and the
 * schema uses the same list to refuse two services on one port.
 *
 * A TLS listener (RTMPS, RTSPS, HTTPS) starts only when its section's `ssl` is true AND both
 * `ssl/serverkey` and `ssl/servercert` are set. Plain listeners keep running beside it.
 */
import type { Config } from "./sections.ts";

export type ServiceName = "rtmp" | "rtmps" | "rtsp" | "rtsps" | "http" | "https" | "srt" | "admin";

export interface Listener {
  service: ServiceName;
  transport: "tcp" | "udp";
  /** "" means all interfaces. */
  ip: string;
  /** 0 means any free port. */
  port: number;
  tls: boolean;
  /** The config path of the port, for messages: "rtmp.sport". */
  path: string;
}

/** True when a server certificate and key are configured. */
export function tlsReady(config: Pick<Config, "ssl">): boolean {
  return config.ssl.serverkey !== "" && config.ssl.servercert !== "";
}

/** True when the section's TLS listener should start. */
export function tlsEnabled(config: Config, section: "rtmp" | "rtsp" | "http"): boolean {
  const s = config[section];
  return s.enable && s.ssl && tlsReady(config);
}

export function listeners(config: Config): Listener[] {
  const out: Listener[] = [];
  const tcp = (service: ServiceName, section: "rtmp" | "rtsp" | "http", key: "port" | "sport") => {
    const s = config[section];
    out.push({
      service,
      transport: "tcp",
      ip: s.ip,
      port: s[key],
      tls: key === "sport",
      path: `${section}.${key}`,
    });
  };
  if (config.rtmp.enable) tcp("rtmp", "rtmp", "port");
  if (tlsEnabled(config, "rtmp")) tcp("rtmps", "rtmp", "sport");
  if (config.rtsp.enable) tcp("rtsp", "rtsp", "port");
  if (tlsEnabled(config, "rtsp")) tcp("rtsps", "rtsp", "sport");
  if (config.http.enable) tcp("http", "http", "port");
  if (tlsEnabled(config, "http")) tcp("https", "http", "sport");
  if (config.http.enable && config.admin.port > 0) {
    const a = { service: "admin" as const, transport: "tcp" as const, ip: config.http.ip, tls: false };
    out.push({ ...a, port: config.admin.port, path: "admin.port" });
  }
  if (config.srt.enable) {
    const s = config.srt;
    out.push({ service: "srt", transport: "udp", ip: s.ip, port: s.port, tls: false, path: "srt.port" });
  }
  return out;
}
