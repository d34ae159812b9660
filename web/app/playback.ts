/// <reference lib="dom" />
import { playWhep } from "./webrtc.ts";
/**
 * Plays one source in a <video>: HTTP-FLV and WS-FLV with mpegts.js, HLS (and LL-HLS) with hls.js
 * (or the browser's own HLS where there is no MSE, as on iPhones), DASH with dash.js, anything else
 * as a plain file. The libraries are separate scripts, fetched the first time they are needed.
 */

export type Kind = "flv" | "ws-flv" | "hls" | "ll-hls" | "dash" | "webrtc" | "mpegts" | "file";

export interface Source {
  kind: Kind;
  /** Absolute URL. */
  url: string;
  live: boolean;
}

// deno-lint-ignore no-explicit-any
type Lib = any;
const loaded = new Map<string, Promise<void>>();

function script(src: string): Promise<void> {
  let p = loaded.get(src);
  if (!p) {
    p = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.onload = () => resolve();
      s.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.append(s);
    });
    loaded.set(src, p);
  }
  return p;
}

const g = globalThis as unknown as { Hls: Lib; mpegts: Lib; dashjs: Lib };

/** Starts playback; returns the function that stops it and frees the player. */
export async function play(
  video: HTMLVideoElement,
  src: Source,
  onError: (msg: string) => void,
): Promise<() => void> {
  video.removeAttribute("src");
  video.srcObject = null;
  if (src.kind === "webrtc") return await playWhep(video, src.url, onError);
  if (src.kind === "flv" || src.kind === "ws-flv" || src.kind === "mpegts") {
    await script("/lib/mpegts.js");
    const m = g.mpegts;
    if (!m.getFeatureList().mseLivePlayback) {
      throw new Error("this browser cannot play FLV (no Media Source Extensions)");
    }
    const p = m.createPlayer(
      { type: src.kind === "mpegts" ? "mpegts" : "flv", isLive: src.live, url: src.url },
      { enableStashBuffer: !src.live, liveBufferLatencyChasing: src.live, lazyLoad: !src.live },
    );
    p.on(m.Events.ERROR, (type: string, detail: string) => onError(`${type}: ${detail}`));
    p.attachMediaElement(video);
    p.load();
    video.play().catch(() => {});
    return () => p.destroy();
  }
  if (src.kind === "hls" || src.kind === "ll-hls") {
    await script("/lib/hls.js");
    const Hls = g.Hls;
    if (!Hls.isSupported()) {
      video.src = src.url; // Safari on iOS plays HLS itself
      video.play().catch(() => {});
      return () => video.removeAttribute("src");
    }
    const low = src.kind === "ll-hls";
    const h = new Hls({ lowLatencyMode: low, maxLiveSyncPlaybackRate: low ? 1.5 : 1 });
    h.on(Hls.Events.ERROR, (_e: unknown, d: { fatal: boolean; type: string; details: string }) => {
      if (d.fatal) onError(`${d.type}: ${d.details}`);
    });
    h.loadSource(src.url);
    h.attachMedia(video);
    video.play().catch(() => {});
    return () => h.destroy();
  }
  if (src.kind === "dash") {
    await script("/lib/dash.js");
    const p = g.dashjs.MediaPlayer().create();
    p.on("error", (e: { error?: { message?: string } }) => onError(e.error?.message ?? "DASH error"));
    p.initialize(video, src.url, true);
    return () => p.reset();
  }
  video.src = src.url;
  video.play().catch(() => {});
  return () => video.removeAttribute("src");
}

/** The player kind for a file by its extension. */
export function kindOfFile(name: string): Kind {
  const ext = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  if (ext === "flv") return "flv";
  if (ext === "m3u8") return "hls";
  if (ext === "mpd") return "dash";
  if (ext === "ts") return "mpegts";
  return "file";
}
