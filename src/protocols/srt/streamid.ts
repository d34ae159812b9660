/**
 * Stream ID routing (draft-sharabayko-srt Appendix B, plus smart_rtmpd's form). Three shapes:
 *
 * - access control: `#!::r=live/feed,m=publish|request,h=host,u=user,s=session,key=value…`;
 *   `m` defaults to `request`, as the convention says;
 * - smart_rtmpd: `host:port/live/feed,role=publisher|player` (also `live/feed,role=…`);
 * - bare: `live/feed` — a play request (the convention's default mode); add `,m=publish` or
 *   `,role=publisher` to publish.
 *
 * Keys other than r and m/role go to the auth callback as the client's query string.
 */
import { ProtocolError } from "../../core/errors.ts";

export type StreamMode = "publish" | "request";

export interface StreamRoute {
  mode: StreamMode;
  app: string;
  name: string;
  /** The host the client asked for (h= or the smart_rtmpd host part), "" when none. */
  vhost: string;
  user?: string;
  session?: string;
  /** Remaining keys as a query string (no "?"), for the auth callback. */
  query: string;
}

const bad = (sid: string, rule: string) => new ProtocolError(`SRT stream id "${sid}" is invalid: ${rule}`);

export function parseStreamId(sid: string): StreamRoute {
  if (sid.startsWith("#!:")) return accessControl(sid);
  return pathForm(sid);
}

function accessControl(sid: string): StreamRoute {
  if (!sid.startsWith("#!::")) throw bad(sid, "only the #!:: key=value syntax is supported");
  const keys = pairs(sid.slice(4), sid);
  const resource = keys.get("r");
  if (!resource) throw bad(sid, "r=<app>/<name> is required");
  keys.delete("r");
  const [path, rq] = splitOnce(resource, "?");
  if (rq) { for (const [k, v] of new URLSearchParams(rq)) if (!keys.has(k)) keys.set(k, v); }
  const mode = modeOf(keys.get("m") ?? "request", sid);
  keys.delete("m");
  const type = keys.get("t");
  if (type && type !== "stream") throw bad(sid, `t=${type} is not supported: only t=stream`);
  return route(path, mode, keys.get("h") ?? "", keys, sid);
}

function pathForm(sid: string): StreamRoute {
  const cut = sid.search(/[,?]/);
  const path = cut < 0 ? sid : sid.slice(0, cut);
  const keys = cut < 0 ? new Map<string, string>() : pairs(sid.slice(cut + 1).replaceAll("&", ","), sid);
  const role = keys.get("role");
  let mode: StreamMode = "request";
  if (role !== undefined) {
    if (role === "publisher" || role === "publish") mode = "publish";
    else if (role !== "player" && role !== "play") {
      throw bad(sid, `role=${role}: must be publisher or player`);
    }
  } else if (keys.has("m")) mode = modeOf(keys.get("m")!, sid);
  keys.delete("role");
  keys.delete("m");
  const segs = path.replace(/^\/+/, "").split("/");
  let vhost = "";
  if (segs.length >= 3) vhost = hostOf(segs.shift()!);
  return route(segs.join("/"), mode, vhost, keys, sid);
}

function route(
  path: string,
  mode: StreamMode,
  vhost: string,
  keys: Map<string, string>,
  sid: string,
): StreamRoute {
  const p = path.replace(/^\/+|\/+$/g, "");
  const slash = p.indexOf("/");
  if (slash <= 0 || slash === p.length - 1) throw bad(sid, "the resource must be <app>/<name>");
  const query = new URLSearchParams([...keys]).toString();
  return {
    mode,
    app: p.slice(0, slash),
    name: p.slice(slash + 1),
    vhost,
    user: keys.get("u"),
    session: keys.get("s"),
    query,
  };
}

function modeOf(m: string, sid: string): StreamMode {
  if (m === "publish" || m === "request") return m;
  throw bad(sid, `m=${m} is not supported: must be publish or request`);
}

function pairs(s: string, sid: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of s.split(",")) {
    if (!part) continue;
    const [k, v] = splitOnce(part, "=");
    if (!k || v === undefined) throw bad(sid, `"${part}" is not key=value`);
    out.set(k.trim(), v.trim());
  }
  return out;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

function hostOf(hostPort: string): string {
  if (hostPort.startsWith("[")) return hostPort.slice(1, hostPort.indexOf("]"));
  const i = hostPort.lastIndexOf(":");
  return i > 0 && hostPort.indexOf(":") === i ? hostPort.slice(0, i) : hostPort;
}
