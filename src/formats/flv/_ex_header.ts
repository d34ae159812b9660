import { readU24, readU32 } from "../../core/bytes.ts";
import { ProtocolError } from "../../core/errors.ts";
import { AvMultitrackType, fourCcString } from "./codec_id.ts";

/** One track's share of an Enhanced RTMP message. */
export interface ExTrackPayload {
  packetType: number;
  fourCc: number;
  trackId: number;
  payload: Uint8Array;
}

export function need(body: Uint8Array, n: number, what: string): void {
  if (body.length < n) {
    throw new ProtocolError(`${what} of ${body.length} bytes is invalid: must be at least ${n} bytes`);
  }
}

/**
 * Reads the FourCC part of an ExVideoTagHeader/ExAudioTagHeader after the first byte, including
 * multitrack framing (E-RTMP v2). We keep one track per kind, so only trackId 0 (or the first
 * track) is returned; other tracks are skipped.
 */
export function readExTracks(
  body: Uint8Array,
  packetType: number,
  multitrack: number,
  kind: string,
): ExTrackPayload {
  if (packetType !== multitrack) {
    need(body, 5, `Enhanced ${kind} tag`);
    return { packetType, fourCc: readU32(body, 1), trackId: 0, payload: body.subarray(5) };
  }
  need(body, 2, `Enhanced ${kind} multitrack tag`);
  const type = body[1] >> 4;
  const innerType = body[1] & 0xf;
  if (innerType === multitrack) {
    throw new ProtocolError(
      `Enhanced ${kind} multitrack packet type ${innerType} is invalid: must not nest Multitrack`,
    );
  }
  if (type > AvMultitrackType.manyTracksManyCodecs) {
    throw new ProtocolError(`Enhanced ${kind} AvMultitrackType ${type} is invalid: must be 0, 1 or 2`);
  }
  let o = 2;
  let fourCc = 0;
  if (type !== AvMultitrackType.manyTracksManyCodecs) {
    need(body, o + 4, `Enhanced ${kind} multitrack tag`);
    fourCc = readU32(body, o);
    o += 4;
  }
  let first: ExTrackPayload | undefined;
  while (o < body.length) {
    if (type === AvMultitrackType.manyTracksManyCodecs) {
      need(body, o + 4, `Enhanced ${kind} multitrack tag`);
      fourCc = readU32(body, o);
      o += 4;
    }
    need(body, o + 1, `Enhanced ${kind} multitrack tag`);
    const trackId = body[o++];
    let end = body.length;
    if (type !== AvMultitrackType.oneTrack) {
      need(body, o + 3, `Enhanced ${kind} multitrack tag`);
      const size = readU24(body, o);
      o += 3;
      end = o + size;
      if (end > body.length) {
        throw new ProtocolError(`Enhanced ${kind} track size ${size} is invalid: runs past the message end`);
      }
    }
    const t = { packetType: innerType, fourCc, trackId, payload: body.subarray(o, end) };
    if (trackId === 0) return t;
    first ??= t;
    o = end;
  }
  if (!first) throw new ProtocolError(`Enhanced ${kind} multitrack tag is invalid: it holds no track`);
  return first;
}

export function unsupportedFourCc(kind: string, fourCc: number, allowed: string): ProtocolError {
  return new ProtocolError(
    `Enhanced ${kind} FourCC "${fourCcString(fourCc)}" is unsupported: must be ${allowed}`,
  );
}
