/**
 * NetConnection / NetStream commands: decoding what the peer sends (AMF0 type 20, or AMF3 type 17
 * with its 0x00 format byte) and building the replies FMS and SRS send: `_result`, `_error`,
 * `onStatus`, `onFCPublish`, `|RtmpSampleAccess`.
 */
import { ProtocolError } from "../../core/errors.ts";
import {
  type AmfObject,
  type AmfValue,
  decodeAmf0All,
  ecmaArray,
  encodeAmf0,
} from "../../formats/amf/mod.ts";
import { chunkMessage, type RtmpMessage } from "./chunk_stream.ts";
import { Csid, MessageType } from "./messages.ts";

export interface Command {
  name: string;
  transactionId: number;
  /** The command object (null for most NetStream commands). */
  object: AmfValue;
  args: AmfValue[];
  /** The message stream the command arrived on (0 = NetConnection). */
  streamId: number;
}

export function parseCommand(m: RtmpMessage): Command {
  const amf3 = m.type === MessageType.commandAmf3;
  const values = decodeAmf0All(m.payload, amf3 && m.payload[0] === 0 ? 1 : 0);
  const [name, txn, object = null, ...args] = values;
  if (typeof name !== "string") {
    throw new ProtocolError(`RTMP command is invalid: must start with a name string, got ${typeof name}`);
  }
  return {
    name,
    transactionId: typeof txn === "number" ? txn : 0,
    object,
    args,
    streamId: m.streamId,
  };
}

export function asObject(v: AmfValue): AmfObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date) &&
      !(v instanceof Uint8Array)
    ? v
    : {};
}

/** NetConnection/NetStream status codes we send. */
export const Status = {
  connectSuccess: "NetConnection.Connect.Success",
  connectRejected: "NetConnection.Connect.Rejected",
  connectClosed: "NetConnection.Connect.Closed",
  publishStart: "NetStream.Publish.Start",
  publishBadName: "NetStream.Publish.BadName",
  publishUnauthorized: "NetStream.Publish.Unauthorized",
  unpublishSuccess: "NetStream.Unpublish.Success",
  playReset: "NetStream.Play.Reset",
  playStart: "NetStream.Play.Start",
  playStop: "NetStream.Play.Stop",
  playFailed: "NetStream.Play.Failed",
  playStreamNotFound: "NetStream.Play.StreamNotFound",
  playUnpublishNotify: "NetStream.Play.UnpublishNotify",
  playPublishNotify: "NetStream.Play.PublishNotify",
  dataStart: "NetStream.Data.Start",
} as const;

export interface Sender {
  chunkSize: number;
}

/** A command message (AMF0, type 20) on the command chunk stream. */
export function commandMessage(
  s: Sender,
  streamId: number,
  values: AmfValue[],
  csid: number = Csid.command,
): Uint8Array {
  return chunkMessage(
    { csid, type: MessageType.commandAmf0, streamId, timestamp: 0, payload: encodeAmf0(...values) },
    { chunkSize: s.chunkSize },
  );
}

/** A data message (AMF0, type 18), e.g. `|RtmpSampleAccess` or onMetaData. */
export function dataMessage(s: Sender, streamId: number, payload: Uint8Array, timestamp = 0): Uint8Array {
  return chunkMessage(
    { csid: Csid.data, type: MessageType.dataAmf0, streamId, timestamp, payload },
    { chunkSize: s.chunkSize },
  );
}

export function statusObject(
  level: "status" | "error" | "warning",
  code: string,
  description: string,
  extra?: AmfObject,
): AmfObject {
  return { level, code, description, ...extra };
}

export function onStatusMessage(
  s: Sender,
  streamId: number,
  level: "status" | "error" | "warning",
  code: string,
  description: string,
  extra?: AmfObject,
): Uint8Array {
  // Stream-level statuses travel on the stream's own chunk stream like FMS does (csid 5).
  return commandMessage(
    s,
    streamId,
    ["onStatus", 0, null, statusObject(level, code, description, extra)],
    Csid.data,
  );
}

export function resultMessage(
  s: Sender,
  transactionId: number,
  object: AmfValue,
  ...args: AmfValue[]
): Uint8Array {
  return commandMessage(s, 0, ["_result", transactionId, object, ...args]);
}

export function errorMessage(s: Sender, transactionId: number, info: AmfObject): Uint8Array {
  return commandMessage(s, 0, ["_error", transactionId, null, info]);
}

/** connect's `_result`, shaped like FMS/SRS (Flash checks fmsVer/capabilities). */
export function connectResultMessage(
  s: Sender,
  transactionId: number,
  opts: { objectEncoding: number; fourCcList?: string[] },
): Uint8Array {
  const props: AmfObject = { fmsVer: "FMS/3,5,3,888", capabilities: 127, mode: 1 };
  if (opts.fourCcList) props.fourCcList = opts.fourCcList;
  const info = statusObject("status", Status.connectSuccess, "Connection succeeded.", {
    objectEncoding: opts.objectEncoding,
    data: ecmaArray({ version: "3,5,3,888", server: "Estuary" }),
  });
  return resultMessage(s, transactionId, props, info);
}

/** `|RtmpSampleAccess` (audio, video): lets Flash players read the decoded samples. */
export function sampleAccessMessage(s: Sender, streamId: number): Uint8Array {
  return dataMessage(s, streamId, encodeAmf0("|RtmpSampleAccess", true, true));
}

/** NetStream.Data.Start as a data message (SRS/FMS send it after Play.Start). */
export function dataStartMessage(s: Sender, streamId: number): Uint8Array {
  return dataMessage(s, streamId, encodeAmf0("onStatus", { code: Status.dataStart }));
}
