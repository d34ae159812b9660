/** RTSP clients for tests: GStreamer's rtspsrc as a counted player, and a hand-driven connection. */
import { RtspParser, type RtspResponse, serializeRequest } from "../../src/protocols/rtsp/mod.ts";
import { requireTool, run } from "./tools.ts";

const DEPAY: Record<string, string[]> = {
  h264: ["rtph264depay", "!", "h264parse", "!", "avdec_h264"],
  h265: ["rtph265depay", "!", "h265parse", "!", "avdec_h265"],
  vp8: ["rtpvp8depay", "!", "vp8dec"],
};

/** gst-launch rtspsrc → depay → decode, counting decoded video frames (up to `frames`). */
export async function gstFrames(url: string, o: {
  protocol: "tcp" | "udp";
  codec: "h264" | "h265" | "vp8";
  frames: number;
  timeoutMs: number;
}): Promise<{ frames: number; code: number; stderr: string }> {
  requireTool("gst-launch-1.0");
  const r = await run("gst-launch-1.0", [
    "-v",
    "rtspsrc",
    `location=${url}`,
    `protocols=${o.protocol}`,
    "latency=300",
    "!",
    ...DEPAY[o.codec],
    "!",
    "identity",
    "name=vid",
    "silent=false",
    `eos-after=${o.frames + 1}`,
    "!",
    "fakesink",
    "sync=false",
  ], { timeoutMs: o.timeoutMs });
  const frames =
    r.stdout.split("\n").filter((l) => l.includes("GstIdentity:vid: last-message = chain")).length;
  return { frames, code: r.code, stderr: r.stderr.slice(-800) + r.stdout.slice(-400) };
}

/** A hand-driven RTSP connection; a background loop collects responses and interleaved data. */
export class Raw {
  #conn: Deno.Conn;
  #parser = new RtspParser();
  #cseq = 0;
  #responses: RtspResponse[] = [];
  #wake: (() => void) | undefined;
  #eof = false;
  /** Interleaved frames seen so far, per channel. */
  readonly data = new Map<number, Uint8Array[]>();
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.closed = this.#loop();
  }

  static async open(port: number): Promise<Raw> {
    return new Raw(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  async #loop(): Promise<void> {
    const buf = new Uint8Array(65536);
    try {
      while (true) {
        const n = await this.#conn.read(buf);
        if (n === null) break;
        this.#parser.push(buf.subarray(0, n));
        for (let item = this.#parser.next(); item; item = this.#parser.next()) {
          if (item.type === "response") this.#responses.push(item.response);
          else if (item.type === "data") {
            const list = this.data.get(item.channel) ?? [];
            list.push(item.payload);
            this.data.set(item.channel, list);
          }
        }
        this.#wake?.();
      }
    } catch { /* closed */ }
    this.#eof = true;
    this.#wake?.();
  }

  count(channel: number): number {
    return this.data.get(channel)?.length ?? 0;
  }

  async send(bytes: Uint8Array | string): Promise<void> {
    const b = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
    let o = 0;
    while (o < b.length) o += await this.#conn.write(b.subarray(o));
  }

  async request(
    method: string,
    uri: string,
    headers: [string, string][] = [],
    body?: string,
  ): Promise<RtspResponse> {
    await this.send(serializeRequest(method, uri, [["CSeq", String(++this.#cseq)], ...headers], body));
    return await this.response();
  }

  /** The next response; throws once the connection is closed. */
  async response(): Promise<RtspResponse> {
    while (this.#responses.length === 0) {
      if (this.#eof) throw new Error("connection closed");
      await new Promise<void>((r) => this.#wake = r);
    }
    return this.#responses.shift()!;
  }

  /** True once the server has closed the connection (waits for it). */
  async closedByPeer(): Promise<boolean> {
    await this.closed;
    return true;
  }

  close(): void {
    try {
      this.#conn.close();
    } catch { /* closed */ }
  }
}
