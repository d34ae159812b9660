/** What every connection of one RTSP server shares: options, the hub, ports, counters. */
import type { FanoutOptions } from "../../core/fanout.ts";
import type { Hub } from "../../core/hub.ts";
import type { Logger } from "../../log/mod.ts";
import type { RtspAuthenticator } from "./auth.ts";
import type { UdpPortPool } from "./udp.ts";

export interface PayloadTypes {
  h264: number;
  h265: number;
  aac: number;
  opus: number;
}

/** A session as the server lists it (stats and metrics). */
export interface RtspSessionEntry {
  readonly mode: "play" | "record";
  /** Playing or recording; false between SETUP and PLAY/RECORD, and while paused. */
  readonly active: boolean;
  readonly bytesReceived: number;
  readonly bytesSent: number;
}

/**
 * Shared by every connection of one server and edited in place by a reload: connections and
 * sessions read these fields when they use them (the fan-out options at every flush).
 */
export interface RtspContext {
  hub: Hub;
  log: Logger;
  auth: RtspAuthenticator | undefined;
  ports: UdpPortPool;
  mtu: number;
  payloadTypes: PayloadTypes;
  /** Public address for SDP c=/o= lines and Transport source= (NAT mode). */
  natHost: string | undefined;
  /** Sessions and idle connections with no activity for this long are closed; 0 = never. */
  maxIdleMs: number;
  /** A request (or interleaved frame) begun, or the first one, must be complete within this; 0 = none. */
  headerTimeoutMs: number;
  /** DESCRIBE of a stream that is not live waits this long for its publisher. */
  playWaitMs: number;
  fanout: FanoutOptions;
  /** Live sessions by id (for stats and lookups). */
  sessions: Map<string, RtspSessionEntry>;
  totals: { connections: number; bytesIn: number; bytesOut: number; badPackets: number };
}

export const SERVER_NAME = "Estuary";

export function newSessionId(): string {
  const b = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("").toUpperCase();
}

/** The Session header's id (before any ";timeout="). */
export function sessionIdOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return header.split(";")[0].trim();
}
