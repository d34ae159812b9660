/** The RTSP Transport header (RFC 2326 §12.39): the specs a client offers and the one we answer. */
import { RtspError } from "./message.ts";

export interface TransportSpec {
  /** RTP/AVP, RTP/AVP/TCP, RTP/AVP/UDP, RTP/SAVP… (upper-cased). */
  protocol: string;
  lower: "tcp" | "udp";
  multicast: boolean;
  /** interleaved=a-b */
  interleaved?: [number, number];
  /** client_port=a-b */
  clientPort?: [number, number];
  serverPort?: [number, number];
  mode?: string;
  ssrc?: string;
  source?: string;
  destination?: string;
}

function range(v: string, what: string): [number, number] {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(v.trim());
  if (!m) throw new RtspError(400, `RTSP Transport ${what}="${v}" is invalid: must be N or N-M`);
  const a = Number(m[1]);
  const b = m[2] !== undefined ? Number(m[2]) : a + 1;
  if (a > 65535 || b > 65535) {
    throw new RtspError(400, `RTSP Transport ${what}="${v}" is invalid: at most 65535`);
  }
  return [a, b];
}

/** Parses every comma-separated spec, in the client's order of preference. */
export function parseTransport(header: string): TransportSpec[] {
  const out: TransportSpec[] = [];
  for (const spec of header.split(",")) {
    const parts = spec.split(";").map((s) => s.trim()).filter((s) => s !== "");
    if (parts.length === 0) continue;
    const protocol = parts[0].toUpperCase();
    const t: TransportSpec = {
      protocol,
      lower: protocol.endsWith("/TCP") ? "tcp" : "udp",
      multicast: false,
    };
    for (const p of parts.slice(1)) {
      const eq = p.indexOf("=");
      const key = (eq < 0 ? p : p.slice(0, eq)).toLowerCase();
      const value = eq < 0 ? "" : p.slice(eq + 1);
      switch (key) {
        case "multicast":
          t.multicast = true;
          break;
        case "unicast":
          t.multicast = false;
          break;
        case "interleaved":
          t.interleaved = range(value, key);
          if (t.interleaved[0] > 255 || t.interleaved[1] > 255) {
            throw new RtspError(400, `RTSP Transport interleaved="${value}" is invalid: channels are 0..255`);
          }
          break;
        case "client_port":
          t.clientPort = range(value, key);
          break;
        case "server_port":
          t.serverPort = range(value, key);
          break;
        case "mode":
          t.mode = value.replace(/"/g, "").toLowerCase();
          break;
        case "ssrc":
          t.ssrc = value;
          break;
        case "source":
          t.source = value;
          break;
        case "destination":
          t.destination = value;
          break;
      }
    }
    out.push(t);
  }
  return out;
}

export function formatTransport(t: TransportSpec): string {
  const parts = [t.protocol, t.multicast ? "multicast" : "unicast"];
  if (t.destination) parts.push(`destination=${t.destination}`);
  if (t.source) parts.push(`source=${t.source}`);
  if (t.interleaved) parts.push(`interleaved=${t.interleaved[0]}-${t.interleaved[1]}`);
  if (t.clientPort) parts.push(`client_port=${t.clientPort[0]}-${t.clientPort[1]}`);
  if (t.serverPort) parts.push(`server_port=${t.serverPort[0]}-${t.serverPort[1]}`);
  if (t.ssrc) parts.push(`ssrc=${t.ssrc}`);
  if (t.mode) parts.push(`mode=${t.mode}`);
  return parts.join(";");
}
