/**
 * The RTSP client side the bench's and the soak's players share: a control connection that sends
 * requests with CSeq and Session, reads responses (keeping what follows them), and the SDP's control
 * URLs. Just enough RTSP to start playback on any server (Estuary, gst-rtsp-server).
 */
import { writeAll } from "./players.ts";

const enc = new TextEncoder();
const latin1 = new TextDecoder("latin1");

export interface RtspResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** Reads one RTSP response from `conn`, keeping whatever follows it in `pending`. */
export async function readResponse(conn: Deno.Conn, pending: { buf: Uint8Array }): Promise<RtspResponse> {
  const chunk = new Uint8Array(16 * 1024);
  for (;;) {
    const text = latin1.decode(pending.buf);
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) {
      const [first, ...lines] = text.slice(0, end).split("\r\n");
      const headers = new Map<string, string>();
      for (const l of lines) {
        const i = l.indexOf(":");
        if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
      }
      const length = Number(headers.get("content-length") ?? 0);
      if (pending.buf.length >= end + 4 + length) {
        const body = text.slice(end + 4, end + 4 + length);
        pending.buf = pending.buf.slice(end + 4 + length);
        return { status: Number(first.split(" ")[1]), headers, body };
      }
    }
    const n = await conn.read(chunk);
    if (n === null) throw new Error("rtsp: closed before a response");
    const merged = new Uint8Array(pending.buf.length + n);
    merged.set(pending.buf);
    merged.set(chunk.subarray(0, n), pending.buf.length);
    pending.buf = merged;
  }
}

/** The control URL of each media section of an SDP, resolved against `base`. */
export function controls(sdp: string, base: string): string[] {
  const out: string[] = [];
  let inMedia = false;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith("m=")) inMedia = true;
    else if (inMedia && line.startsWith("a=control:")) {
      const c = line.slice("a=control:".length).trim();
      out.push(c.startsWith("rtsp://") ? c : `${base.replace(/\/$/, "")}/${c}`);
    }
  }
  return out;
}

/** An RTSP control connection on `conn`: requests with CSeq, and what was read past the last response. */
export function rtspControl(conn: Deno.Conn) {
  const pending = { buf: new Uint8Array(0) };
  let cseq = 0;
  let session = "";
  const request = async (method: string, target: string, extra: string[] = []) => {
    const head = [
      `${method} ${target} RTSP/1.0`,
      `CSeq: ${++cseq}`,
      ...(session ? [`Session: ${session}`] : []),
      ...extra,
      "",
      "",
    ].join("\r\n");
    await writeAll(conn, enc.encode(head));
    const res = await readResponse(conn, pending);
    if (res.status !== 200) throw new Error(`rtsp ${method} ${target}: ${res.status}`);
    const s = res.headers.get("session");
    if (s) session = s.split(";")[0];
    return res;
  };
  return { pending, request };
}
