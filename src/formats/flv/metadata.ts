import type { AudioTrack, VideoTrack } from "../../core/track.ts";
import { FourCc, SoundFormat, VideoCodecId } from "./codec_id.ts";
import type { FlvMuxOptions, FlvVideoForm } from "./mux.ts";

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
    m.videocodecid = videoCodecId(video, opts);
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

function videoCodecId(t: VideoTrack, opts: FlvMuxOptions & { form?: FlvVideoForm }): number {
  const enhanced = opts.form === "enhanced";
  switch (t.codec) {
    case "h264":
      return enhanced ? FourCc.avc1 : VideoCodecId.avc;
    case "h265":
      return enhanced ? FourCc.hvc1 : opts.hevcCodecId ?? VideoCodecId.hevcDefault;
    case "av1":
      return FourCc.av01;
    case "vp9":
      return FourCc.vp09;
    case "vp8":
      return FourCc.vp08;
  }
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
