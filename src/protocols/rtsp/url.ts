/**
 * RTSP URLs → stream keys and track controls. Clients build track URLs in different ways
 * (`base/trackID=0`, `base?query/trackID=0` as ffmpeg does with a query, absolute URLs from
 * an ANNOUNCE SDP), so the track part is found wherever it landed.
 */
import { RtspError } from "./message.ts";

export interface RtspTarget {
  scheme: "rtsp" | "rtsps";
  /** host[:port] as the client wrote it. */
  authority: string;
  app: string;
  name: string;
  /** The client's query without "?" (auth tokens ride here). */
  query: string;
  /** What followed app/name: a track control such as "trackID=1" or "streamid=0" ("" for none). */
  control: string;
}

const URL_RE = /^(rtsps?):\/\/([^/?#]*)([^#]*)$/i;

export function parseRtspUrl(uri: string): RtspTarget {
  const m = URL_RE.exec(uri);
  if (!m) {
    throw new RtspError(
      400,
      `RTSP URL "${uri.slice(0, 100)}" is invalid: must be rtsp://host[:port]/app/name`,
    );
  }
  let rest = m[3];
  let query = "";
  const q = rest.indexOf("?");
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
    const slash = query.indexOf("/");
    if (slash >= 0) {
      rest += query.slice(slash);
      query = query.slice(0, slash);
    }
  }
  let segments: string[];
  try {
    segments = rest.split("/").filter((s) => s !== "").map(decodeURIComponent);
  } catch {
    throw new RtspError(400, `RTSP URL "${uri.slice(0, 100)}" is invalid: bad percent-encoding`);
  }
  if (segments.length < 2) {
    throw new RtspError(400, `RTSP URL path "${rest}" is invalid: must be /app/name`);
  }
  return {
    scheme: m[1].toLowerCase() as "rtsp" | "rtsps",
    authority: m[2],
    app: segments[0],
    name: segments[1],
    query,
    control: segments.slice(2).join("/"),
  };
}

/** The Content-Base we hand out: the stream's URL as the client addressed us, with a trailing "/". */
/** The hub's admission request for an RTSP player or publisher of `target`. */
export function admissionOf(target: RtspTarget, role: "publisher" | "player", remote: string) {
  return {
    role,
    protocol: "rtsp",
    app: target.app,
    name: target.name,
    vhost: target.authority.replace(/:\d+$/, ""),
    query: target.query,
    remote,
  } as const;
}

export function contentBase(t: RtspTarget): string {
  return `${t.scheme}://${t.authority}/${encodeURIComponent(t.app)}/${encodeURIComponent(t.name)}/`;
}

/** Resolves an SDP a=control value against a base URL (absolute, "*", or relative). */
export function resolveControl(base: string, control: string): string {
  if (control === "" || control === "*") return base;
  if (/^rtsps?:\/\//i.test(control)) return control;
  return base.endsWith("/") ? base + control : `${base}/${control}`;
}

/** The path (and anything after) of an RTSP URL, without scheme, host and query. */
function pathOf(url: string): string {
  const m = URL_RE.exec(url);
  const rest = m ? m[3] : url;
  const q = rest.indexOf("?");
  const path = q >= 0 ? rest.slice(0, q) + (rest.slice(q).match(/\/.*$/)?.[0] ?? "") : rest;
  return path.replace(/\/+$/, "");
}

/**
 * Which of the announced media a SETUP URL names: by absolute URL, by path (ignoring host
 * differences), or by its control suffix. -1 when none does.
 */
export function matchControl(setupUrl: string, base: string, controls: readonly string[]): number {
  const target = pathOf(setupUrl);
  for (let i = 0; i < controls.length; i++) {
    if (pathOf(resolveControl(base, controls[i])) === target) return i;
  }
  for (let i = 0; i < controls.length; i++) {
    const c = controls[i];
    if (c === "" || c === "*") continue;
    const tail = /^rtsps?:\/\//i.test(c) ? pathOf(c) : "/" + c.replace(/^\/+/, "");
    if (target.endsWith(tail.replace(/\/+$/, ""))) return i;
  }
  return -1;
}
