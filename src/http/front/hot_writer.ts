/**
 * How the hot route's prebuilt answers (HLS/DASH playlists, segments, parts) leave one connection:
 * straight onto a plain TCP socket when it takes them (net/tcp_send.ts, opened with the first
 * answer), the rest by the async write, which the next request waits for.
 */
import type { Logger } from "../../log/mod.ts";
import { openTcpSend, type TcpSend } from "../../net/mod.ts";
import { writeAll } from "./conn_reader.ts";
import { simpleResponse } from "./response_writer.ts";

export class HotWriter {
  readonly #conn: Deno.Conn;
  /** Undefined until the first answer; null where direct sends cannot run (TLS, no FFI). */
  #direct: TcpSend | null | undefined;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Writes one answer (a 500 if building it failed); false when the connection must end. */
  async write(answer: Uint8Array | Promise<Uint8Array>, path: string, log: Logger): Promise<boolean> {
    let bytes: Uint8Array;
    try {
      bytes = answer instanceof Uint8Array ? answer : await answer;
    } catch (err) {
      log.error("request failed", { path, err });
      await writeAll(this.#conn, simpleResponse(500, "internal error"));
      return false;
    }
    if (this.#direct === undefined) this.#direct = openTcpSend(this.#conn) ?? null;
    const sent = this.#direct?.send(bytes) ?? 0;
    if (sent < bytes.byteLength) await writeAll(this.#conn, sent > 0 ? bytes.subarray(sent) : bytes);
    return true;
  }

  close(): void {
    this.#direct?.close();
  }
}
