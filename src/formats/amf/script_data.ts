import { ProtocolError } from "../../core/errors.ts";
import { decodeAmf0All, encodeAmf0 } from "./amf0.ts";
import { type AmfObject, type AmfValue, ecmaArray } from "./types.ts";

/**
 * The body of an FLV script tag / RTMP data message carrying metadata:
 * AMF0 "onMetaData" followed by an ECMA array of the properties.
 */
export function onMetaDataBody(obj: Record<string, AmfValue>): Uint8Array {
  return encodeAmf0("onMetaData", ecmaArray({ ...obj }));
}

/** What a publisher sends: `@setDataFrame`, "onMetaData", properties. */
export function setDataFrameBody(obj: Record<string, AmfValue>): Uint8Array {
  return encodeAmf0("@setDataFrame", "onMetaData", ecmaArray({ ...obj }));
}

export interface ScriptData {
  /** The handler name ("onMetaData", "onTextData", "|RtmpSampleAccess", …). */
  name: string;
  args: AmfValue[];
  /** True when the publisher wrapped it in `@setDataFrame` (keep it with the stream). */
  setDataFrame: boolean;
}

/**
 * Parses a data message (type 18, or type 15 with `amf3` set: its leading 0x00 format byte is
 * skipped and 0x11 switches values to AMF3).
 */
export function parseScriptData(body: Uint8Array, opts: { amf3?: boolean } = {}): ScriptData {
  const values = decodeAmf0All(body, opts.amf3 && body[0] === 0 ? 1 : 0);
  let setDataFrame = false;
  if (values[0] === "@setDataFrame" || values[0] === "@clearDataFrame") {
    setDataFrame = true;
    values.shift();
  }
  const name = values.shift();
  if (typeof name !== "string") {
    throw new ProtocolError(
      `AMF data message is invalid: must start with a handler name, got ${typeof name}`,
    );
  }
  return { name, args: values, setDataFrame };
}

/** The properties object of an onMetaData message (ECMA array or object), or undefined. */
export function metaDataOf(data: ScriptData): AmfObject | undefined {
  if (data.name !== "onMetaData") return undefined;
  const v = data.args[0];
  if (
    typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Date || v instanceof Uint8Array
  ) {
    return undefined;
  }
  return v;
}
