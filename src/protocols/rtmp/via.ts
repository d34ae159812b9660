/**
 * The forward chain in the connect command: Estuary's forwarder lists the ids of the servers a stream
 * came through in one connect property (a comma list), so the receiving server can refuse a loop.
 * Other servers (nginx-rtmp, SRS) ignore unknown connect properties.
 */
import type { AmfValue } from "../../formats/amf/mod.ts";

export const VIA_PROPERTY = "estuaryVia";
/**
 * A sibling worker's relay names itself with the workers' shared secret in this connect property
 * (on the private relay listener only): its plays are trusted and counted apart (RELAY_PLAYER).
 */
export const RELAY_PROPERTY = "estuaryRelay";

/** Caps what a peer can make us keep: more ids than this is a loop anyway (the hub's hop limit is lower). */
const MAX_IDS = 64;
const ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The chain a connect object carries; malformed ids are dropped (the property is advisory). */
export function viaOf(connectObject: Record<string, AmfValue>): string[] {
  const v = connectObject[VIA_PROPERTY];
  if (typeof v !== "string" || v === "") return [];
  return v.split(",").slice(0, MAX_IDS + 1).filter((id) => ID.test(id));
}

/** The property value for a chain. */
export function viaValue(ids: readonly string[]): string {
  return ids.join(",");
}
