/**
 * The running WebRTC sessions by id (the id is the last segment of the `Location` a WHIP/WHEP client
 * DELETEs or PATCHes). The HTTP service owns one registry: a reload edits its settings in place (new
 * sessions use them), and closing the service ends every session. Each session is also listed in
 * the hub's session registry (the admin's Sessions page: role, stream, address, bytes; kickable).
 *
 * The session classes (and with them werift, the AAC → Opus transcoder and the Opus WASM) are imported
 * on the first session, not at start: they are most of the program's start-up time and idle memory.
 * A failure to load them is logged once per attempt and refuses that session (503); the next one tries again.
 */
import type { SessionInfo, SessionRegistry, Stream } from "../../core/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { WebrtcSettings } from "./settings.ts";
import { lazy } from "../../core/mod.ts";
import { NoPortError, WebrtcUnavailableError } from "./errors.ts";
import { hostAddresses } from "./ice.ts";
import { PortWindows } from "./ports.ts";
import type { WhepSession, WhepSessionStats } from "./whep_session.ts";
import type { WhipSession, WhipSessionStats } from "./whip_session.ts";

interface SessionClasses {
  WhepSession: typeof WhepSession;
  WhipSession: typeof WhipSession;
}

/** The session modules, imported on the first session (static specifiers: `deno compile` embeds them). */
function sessionClasses(log: Logger): () => Promise<SessionClasses> {
  return lazy(async () => {
    const [whep, whip] = await Promise.all([import("./whep_session.ts"), import("./whip_session.ts")]);
    return { WhepSession: whep.WhepSession, WhipSession: whip.WhipSession };
  }, {
    loaded: (ms) => log.info("webrtc library loaded", { ms: Math.round(ms) }),
    failed(err) {
      log.error("webrtc library failed to load", { error: err });
      return new WebrtcUnavailableError(err);
    },
  });
}

/** A WHEP viewer or a WHIP publisher: what DELETE, PATCH and the stats need. */
export type WebrtcSession = WhepSession | WhipSession;

export interface WebrtcStats {
  /** Sessions now (any state), and since start. */
  sessions: number;
  opened: number;
  closed: number;
  list: (WhepSessionStats | WhipSessionStats)[];
}

/** 128 random bits, hex: a session URL nobody can guess. */
function newId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Windows of one port per host address, plus two spares for ports other programs hold. */
function portWindows(s: WebrtcSettings | null): PortWindows | undefined {
  if (!s) return undefined;
  const size = hostAddresses(s.listenHost, s.natHost).length + 2;
  return new PortWindows(s.portRange[0], s.portRange[1], size);
}

let guarded = false;

/**
 * werift binds its UDP sockets without an error listener: a port another program takes between its
 * probe and its bind would be an uncaught error. That one case is logged and the process goes on
 * (the session misses that candidate, or fails to connect and is freed by its deadline). The same
 * for rejections that start in werift's code.
 */
function guardUdpBindErrors(log: Logger) {
  if (guarded) return;
  guarded = true;
  globalThis.addEventListener("error", (e) => {
    const err = e.error as { code?: string; syscall?: string } | undefined;
    if (err?.code === "EADDRINUSE" && err.syscall === "bind") {
      e.preventDefault();
      log.warn("webrtc UDP port taken between probe and bind", { err });
    }
  });
  // A failure inside werift's own promise chains (a DTLS or ICE error nobody awaits) ends that
  // session through its state events; it must not end the process.
  globalThis.addEventListener("unhandledrejection", (e) => {
    const stack = String((e.reason as Error)?.stack ?? "");
    if (stack.includes("/werift/")) {
      e.preventDefault();
      log.warn("webrtc library error ignored", { err: e.reason });
    }
  });
}

export class WebrtcSessions {
  /** null = WebRTC is off (`<rtmp><haswebrtc>false`): the routes answer 404. */
  settings: WebrtcSettings | null;
  #log: Logger;
  #sessions = new Map<string, WebrtcSession>();
  /** WHIP publishers by stream key: a WHEP viewer's picture loss becomes their PLI. */
  #publishers = new Map<string, WhipSession>();
  #opened = 0;
  #closedCount = 0;
  #seq = 1;
  #ports: PortWindows | undefined;
  #classes: () => Promise<SessionClasses>;

  #registry: SessionRegistry | undefined;
  #unlist = new Map<WebrtcSession, () => void>();

  constructor(settings: WebrtcSettings | null, log: Logger, registry?: SessionRegistry) {
    this.settings = settings;
    this.#log = log;
    this.#registry = registry;
    this.#ports = portWindows(settings);
    this.#classes = sessionClasses(log);
    guardUdpBindErrors(log);
  }

  get size(): number {
    return this.#sessions.size;
  }

  #take(): { settings: WebrtcSettings; ports: [number, number]; give: () => void } {
    const settings = this.settings;
    if (!settings) throw new Error("WebRTC is off (<rtmp><haswebrtc>false)");
    const pool = this.#ports!;
    const ports = pool.take();
    if (!ports) throw new NoPortError(settings.portRange[0], settings.portRange[1]);
    return { settings, ports, give: () => pool.give(ports) };
  }

  /** Lists a session in the hub's registry as `whep#N` / `whip#N` (protocol webrtc). */
  #list(s: WebrtcSession, name: string, role: "player" | "publisher", remote: string) {
    const unlist = this.#registry?.add({
      info: (): SessionInfo => {
        const st = s.stats();
        return {
          id: name,
          protocol: "webrtc",
          role,
          remote,
          stream: s.stream.key,
          startedAt: s.createdAt,
          bytesIn: "bytesReceived" in st ? st.bytesReceived : 0,
          bytesOut: "bytesSent" in st ? st.bytesSent : 0,
        };
      },
      close: (reason) => s.close(reason),
    });
    if (unlist) this.#unlist.set(s, unlist);
  }

  #forget(s: WebrtcSession, give: () => void) {
    give();
    this.#unlist.get(s)?.();
    this.#unlist.delete(s);
    if (this.#sessions.get(s.id) === s) this.#sessions.delete(s.id);
    if (this.#publishers.get(s.stream.key) === s) this.#publishers.delete(s.stream.key);
    this.#closedCount++;
  }

  /** A new viewer session on `stream` (answer its offer next); WebRTC must be on. */
  async openPlayer(stream: Stream, remote: string): Promise<WhepSession> {
    const { WhepSession } = await this.#classes();
    const { settings, ports, give } = this.#take();
    const id = newId();
    const name = `whep#${this.#seq++}`;
    const log = this.#log.child({ sess: name, key: stream.key, remote });
    const s = new WhepSession({
      id,
      stream,
      settings,
      log,
      remote,
      ports,
      onPictureLoss: () => this.#publishers.get(stream.key)?.requestKeyframe(),
      onClose: (s) => this.#forget(s, give),
    });
    this.#sessions.set(id, s);
    this.#list(s, name, "player", remote);
    this.#opened++;
    return s;
  }

  /** A new publisher session writing into `stream` (admitted by the hub); WebRTC must be on. */
  async openPublisher(stream: Stream, remote: string): Promise<WhipSession> {
    const { WhipSession } = await this.#classes();
    const { settings, ports, give } = this.#take();
    const id = newId();
    const name = `whip#${this.#seq++}`;
    const log = this.#log.child({ sess: name, key: stream.key, remote });
    const s = new WhipSession({
      id,
      stream,
      settings,
      log,
      remote,
      ports,
      onClose: (s) => this.#forget(s, give),
    });
    this.#sessions.set(id, s);
    this.#publishers.set(stream.key, s);
    this.#list(s, name, "publisher", remote);
    this.#opened++;
    return s;
  }

  get(id: string): WebrtcSession | undefined {
    return this.#sessions.get(id);
  }

  /** New settings from a reload: sessions opened from now on use them (running ones keep theirs). */
  update(next: WebrtcSettings | null): void {
    if (JSON.stringify(next) === JSON.stringify(this.settings)) return;
    this.settings = next;
    this.#ports = portWindows(next);
  }

  closeAll(reason = "server stopping"): void {
    for (const s of [...this.#sessions.values()]) s.close(reason);
  }

  stats(): WebrtcStats {
    return {
      sessions: this.#sessions.size,
      opened: this.#opened,
      closed: this.#closedCount,
      list: [...this.#sessions.values()].map((s) => s.stats()),
    };
  }
}
