/** The recorder service module: `<http><recmode|recduration|hlsduration>` → recorder settings. */
import { type Config, resolvePath } from "../config/mod.ts";
import { defineService, type ServiceContext } from "../service.ts";
import { createRecorder } from "./recorder.ts";

export interface RecorderSettings {
  /** Recording root (rec/ under the server root). */
  root: string;
  recmode: number;
  recdurationMin: number;
  /** Segment target: the same `<hlsduration>` live HLS uses. */
  segmentMs: number;
}

export function recorderSettings(c: Config, root: string): RecorderSettings {
  return {
    root: resolvePath(root, "rec"),
    recmode: c.http.recmode,
    recdurationMin: c.http.recduration,
    segmentMs: c.http.hlsduration * 1000,
  };
}

/** The keys being recorded now (record apps and on demand); empty when the recorder is not running. */
export function recordingKeys(ctx: ServiceContext): string[] {
  return (ctx.service("recorder")?.stats() as { streams?: string[] } | undefined)?.streams ?? [];
}

export const recorderService = defineService<RecorderSettings>({
  name: "recorder",
  listens: [],
  settings: recorderSettings,
  create(s, ctx) {
    const rec = createRecorder({ hub: ctx.hub, log: ctx.log, ...s });
    return {
      start: () => rec.start(),
      close: () => rec.close(),
      listeners: () => ({}),
      stats: () => ({ ...rec.stats(), streams: rec.recording }),
      commands: {
        start: ({ key }) => Promise.resolve(rec.startFor(key)),
        stop: ({ key }) => rec.stopFor(key),
      },
    };
  },
});
