/**
 * DASH MPD writer (ISO/IEC 23009-1, isoff-live profile): one Period, one AdaptationSet per track,
 * SegmentTemplate with $Number$ and a SegmentTimeline, so keyframe-aligned segments of varying
 * length are described exactly.
 */

export interface TimelineSegment {
  /** Start, in the adaptation set's timescale. */
  t: number;
  /** Duration, in the same timescale. */
  d: number;
}

export interface MpdAdaptationSet {
  id: number;
  contentType: "video" | "audio";
  /** RFC 6381 codecs string: avc1.64001f, hvc1.1.6.L93.B0, mp4a.40.2, opus. */
  codecs: string;
  /** Bits per second (an estimate is fine; players use it to pick among representations). */
  bandwidth: number;
  timescale: number;
  /** Template of the init segment URL, relative to the MPD (or BaseURL). */
  initialization: string;
  /** Template of the media segment URLs, with $Number$. */
  media: string;
  /** Number of `timeline[0]`. */
  startNumber: number;
  timeline: readonly TimelineSegment[];
  presentationTimeOffset?: number;
  width?: number;
  height?: number;
  frameRate?: number;
  sampleRate?: number;
  channels?: number;
}

export interface Mpd {
  type: "dynamic" | "static";
  /** ms since the epoch: wall-clock time of media time 0 (dynamic only). */
  availabilityStartTime?: number;
  /** ms since the epoch. */
  publishTime?: number;
  /** Seconds. */
  minimumUpdatePeriod?: number;
  timeShiftBufferDepth?: number;
  suggestedPresentationDelay?: number;
  minBufferTime: number;
  maxSegmentDuration?: number;
  /** Static only: the whole duration. */
  mediaPresentationDuration?: number;
  /** ms since the epoch: the server's clock, sent as urn:mpeg:dash:utc:direct:2014. */
  utcTiming?: number;
  baseUrl?: string;
  adaptationSets: readonly MpdAdaptationSet[];
}

/** ISO 8601 duration in seconds with millisecond precision: PT2.5S. */
export function isoDuration(seconds: number): string {
  return `PT${Math.round(seconds * 1000) / 1000}S`;
}

/** xs:dateTime in UTC with milliseconds. */
function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `<S>` elements: `t` only where the timeline is not contiguous, `r` for runs of equal durations. */
export function timelineElements(segments: readonly TimelineSegment[]): string[] {
  const out: string[] = [];
  let i = 0;
  let expected = -1;
  while (i < segments.length) {
    const s = segments[i];
    let r = 0;
    while (
      i + r + 1 < segments.length && segments[i + r + 1].d === s.d &&
      segments[i + r + 1].t === s.t + (r + 1) * s.d
    ) r++;
    const t = s.t === expected ? "" : ` t="${s.t}"`;
    out.push(`<S${t} d="${s.d}"${r > 0 ? ` r="${r}"` : ""}/>`);
    expected = s.t + (r + 1) * s.d;
    i += r + 1;
  }
  return out;
}

function adaptationSet(a: MpdAdaptationSet): string[] {
  const video = a.contentType === "video";
  const mime = video ? "video/mp4" : "audio/mp4";
  const setAttrs = video
    ? ` maxWidth="${a.width ?? 0}" maxHeight="${a.height ?? 0}"` +
      (a.frameRate ? ` maxFrameRate="${Math.round(a.frameRate * 1000) / 1000}"` : "")
    : "";
  const out = [
    `  <AdaptationSet id="${a.id}" contentType="${a.contentType}" mimeType="${mime}" segmentAlignment="true" startWithSAP="1"${setAttrs}>`,
  ];
  const pto = a.presentationTimeOffset ? ` presentationTimeOffset="${a.presentationTimeOffset}"` : "";
  out.push(
    `   <SegmentTemplate timescale="${a.timescale}"${pto} initialization="${
      escapeXml(a.initialization)
    }" media="${escapeXml(a.media)}" startNumber="${a.startNumber}">`,
    "    <SegmentTimeline>",
    ...timelineElements(a.timeline).map((s) => `     ${s}`),
    "    </SegmentTimeline>",
    "   </SegmentTemplate>",
  );
  const rep = video
    ? `width="${a.width ?? 0}" height="${a.height ?? 0}"` +
      (a.frameRate ? ` frameRate="${Math.round(a.frameRate * 1000) / 1000}"` : "") + ` sar="1:1"`
    : `audioSamplingRate="${a.sampleRate ?? 0}"`;
  out.push(
    `   <Representation id="${a.contentType}" codecs="${escapeXml(a.codecs)}" bandwidth="${
      Math.round(a.bandwidth)
    }" ${rep}>`,
  );
  if (!video && a.channels) {
    out.push(
      `    <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="${a.channels}"/>`,
    );
  }
  out.push("   </Representation>", "  </AdaptationSet>");
  return out;
}

export function writeMpd(m: Mpd): string {
  const attrs: string[] = [
    `xmlns="urn:mpeg:dash:schema:mpd:2011"`,
    `profiles="urn:mpeg:dash:profile:isoff-live:2011"`,
    `type="${m.type}"`,
  ];
  if (m.type === "dynamic") {
    attrs.push(`availabilityStartTime="${isoDate(m.availabilityStartTime ?? 0)}"`);
    if (m.publishTime !== undefined) attrs.push(`publishTime="${isoDate(m.publishTime)}"`);
    if (m.minimumUpdatePeriod !== undefined) {
      attrs.push(`minimumUpdatePeriod="${isoDuration(m.minimumUpdatePeriod)}"`);
    }
    if (m.timeShiftBufferDepth !== undefined) {
      attrs.push(`timeShiftBufferDepth="${isoDuration(m.timeShiftBufferDepth)}"`);
    }
    if (m.suggestedPresentationDelay !== undefined) {
      attrs.push(`suggestedPresentationDelay="${isoDuration(m.suggestedPresentationDelay)}"`);
    }
  } else if (m.mediaPresentationDuration !== undefined) {
    attrs.push(`mediaPresentationDuration="${isoDuration(m.mediaPresentationDuration)}"`);
  }
  if (m.maxSegmentDuration !== undefined) {
    attrs.push(`maxSegmentDuration="${isoDuration(m.maxSegmentDuration)}"`);
  }
  attrs.push(`minBufferTime="${isoDuration(m.minBufferTime)}"`);
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`, `<MPD ${attrs.join(" ")}>`];
  if (m.baseUrl) out.push(` <BaseURL>${escapeXml(m.baseUrl)}</BaseURL>`);
  out.push(` <Period id="0" start="PT0S">`);
  for (const a of m.adaptationSets) out.push(...adaptationSet(a));
  out.push(" </Period>");
  if (m.utcTiming !== undefined) {
    out.push(` <UTCTiming schemeIdUri="urn:mpeg:dash:utc:direct:2014" value="${isoDate(m.utcTiming)}"/>`);
  }
  out.push("</MPD>");
  return out.join("\n") + "\n";
}
