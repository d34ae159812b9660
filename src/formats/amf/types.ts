/**
 * The JavaScript shape of AMF values. Plain objects stand for AMF objects; an object marked with
 * `ecmaArray()` is written as an AMF0 ECMA array (onMetaData uses one) and decoded ECMA arrays carry
 * the same mark, so a decode → encode round trip gives back the same bytes.
 */
export type AmfValue =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | Uint8Array
  | AmfValue[]
  | AmfObject;

export interface AmfObject {
  [key: string]: AmfValue;
}

const ECMA = Symbol("amf.ecmaArray");

/** Marks `obj` (in place) to be encoded as an ECMA array; returns it. */
export function ecmaArray<T extends AmfObject>(obj: T): T {
  Object.defineProperty(obj, ECMA, { value: true, enumerable: false });
  return obj;
}

export function isEcmaArray(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[ECMA] === true;
}

/** Nesting bound: hostile input must not exhaust the stack. */
export const MAX_DEPTH = 64;
