import type { AudioTrack, VideoTrack } from "../../core/track.ts";
import type { AmfValue } from "../amf/mod.ts";
import { FourCc, SoundFormat } from "./codec_id.ts";
import { type FlvMuxOptions, type FlvVideoForm, videoCodecId } from "./mux.ts";

/** onMetaData properties (FLV spec E.5, E-RTMP "Enhancing onMetaData"), ready for AMF0 encoding. */
export interface FlvMetadata {
  width?: number;
  height?: number;
  framerate?: number;
  videocodecid?: number;
  audiocodecid?: number;
  audiosamplerate?: number;
  audiosamplesize?: number;
  audiochannels?: number;
  stereo?: boolean;
  [key: string]: number | boolean | string | undefined;
}

/**
 * Builds the onMetaData object for the given tracks. Codec ids are legacy numbers where a legacy
 * form exists (and `form` is legacy); otherwise the FourCC as a number, as E-RTMP specifies.
 */
export function metadataObject(
  video?: VideoTrack,
  audio?: AudioTrack,
  opts: FlvMuxOptions & { form?: FlvVideoForm } = {},
): FlvMetadata {
  const m: FlvMetadata = {};
  if (video) {
    m.width = video.width;
    m.height = video.height;
    if (video.fps > 0) m.framerate = video.fps;
    m.videocodecid = videoCodecId(video, opts.form ?? "legacy", opts);
  }
  if (audio) {
    m.audiocodecid = audioCodecId(audio);
    m.audiosamplerate = audio.sampleRate;
    m.audiosamplesize = 16;
    m.audiochannels = audio.channels;
    m.stereo = audio.channels > 1;
  }
  return m;
}

/** Publisher metadata keys that describe a file, not a live stream: a player would trust them. */
const FILE_ONLY = new Set(["duration", "filesize", "datasize", "lasttimestamp", "lastkeyframetimestamp"]);

/**
 * The onMetaData a live player gets (HTTP-FLV and RTMP alike): the publisher's own keys except
 * those that describe a file, then ours for the tracks as this form carries them (they win, since
 * the publisher's may name another form or be stale), then `server`.
 */
export function liveMetadata(
  publisher: Record<string, unknown> | undefined,
  video: VideoTrack | undefined,
  audio: AudioTrack | undefined,
  opts: FlvMuxOptions & { form: FlvVideoForm },
): Record<string, AmfValue> {
  const out: Record<string, AmfValue> = {};
  for (const [k, v] of Object.entries(publisher ?? {})) {
    if (!FILE_ONLY.has(k.toLowerCase())) out[k] = v as AmfValue;
  }
  for (const [k, v] of Object.entries(metadataObject(video, audio, opts))) {
    if (v !== undefined) out[k] = v;
  }
  out.server = "Estuary";
  return out;
}

function audioCodecId(t: AudioTrack): number {
  switch (t.codec) {
    case "aac":
      return SoundFormat.aac;
    case "mp3":
      return SoundFormat.mp3;
    case "pcma":
      return SoundFormat.pcma;
    case "pcmu":
      return SoundFormat.pcmu;
    case "opus":
      return FourCc.opus;
  }
}
