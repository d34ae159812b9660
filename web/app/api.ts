/// <reference lib="dom" />
/** The server's JSON endpoints the pages read, with their shapes. */

export interface PublicUrl {
  type: string;
  url: string;
}

export interface StreamEntry {
  app: string;
  name: string;
  vhost: string;
  from: string;
  uptime: number;
  rate: number;
  media: {
    video?: { codec: string; width: number; height: number; fps: number; gop: number };
    audio?: { codec: string; samplerate: number; channel: number };
  };
  players: { count: Record<string, number>; total: number };
  urls: PublicUrl[];
  recording: boolean;
  warnings: string[];
}

export interface Listing {
  dirs?: string[];
  files?: string[];
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { cache: "no-store" });
  if (!res.ok) {
    let msg = `${res.status}`;
    try {
      msg = (await res.json()).msg ?? msg;
    } catch { /* not JSON */ }
    throw new Error(`${path}: ${msg}`);
  }
  return await res.json() as T;
}

export const liveStreams = () => getJson<{ streams: StreamEntry[] }>("/api/streams").then((r) => r.streams);

/** A path of URL segments, each encoded. */
export const joinPath = (...segs: string[]) => segs.filter((s) => s !== "").map(encodeURIComponent).join("/");
