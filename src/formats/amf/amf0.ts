import { Cursor, textEncoder, Writer } from "./_cursor.ts";
import { decodeAmf3Value, encodeAmf3Value, newAmf3Context } from "./amf3.ts";
import { type AmfObject, type AmfValue, ecmaArray, isEcmaArray, MAX_DEPTH } from "./types.ts";

/** AMF0 type markers (AMF0 spec §2.1). */
export const Amf0 = {
  number: 0x00,
  boolean: 0x01,
  string: 0x02,
  object: 0x03,
  movieClip: 0x04,
  null: 0x05,
  undefined: 0x06,
  reference: 0x07,
  ecmaArray: 0x08,
  objectEnd: 0x09,
  strictArray: 0x0a,
  date: 0x0b,
  longString: 0x0c,
  unsupported: 0x0d,
  recordSet: 0x0e,
  xmlDocument: 0x0f,
  typedObject: 0x10,
  avmplus: 0x11,
} as const;

interface Ctx {
  c: Cursor;
  /** Complex values in the order they began, for 0x07 references. */
  refs: AmfValue[];
}

/** Decodes one AMF0 value at `offset`; `end` is the offset just past it. */
export function decodeAmf0(bytes: Uint8Array, offset = 0): { value: AmfValue; end: number } {
  const ctx: Ctx = { c: new Cursor(bytes, offset), refs: [] };
  const value = readValue(ctx, 0);
  return { value, end: ctx.c.pos };
}

/** Decodes every AMF0 value from `offset` to the end (a command or data message body). */
export function decodeAmf0All(bytes: Uint8Array, offset = 0): AmfValue[] {
  const ctx: Ctx = { c: new Cursor(bytes, offset), refs: [] };
  const out: AmfValue[] = [];
  while (ctx.c.left > 0) out.push(readValue(ctx, 0));
  return out;
}

function readValue(ctx: Ctx, depth: number): AmfValue {
  const c = ctx.c;
  if (depth > MAX_DEPTH) c.fail(`nesting deeper than ${MAX_DEPTH} levels is not allowed`);
  const at = c.pos;
  const marker = c.u8();
  switch (marker) {
    case Amf0.number:
      return c.f64("number");
    case Amf0.boolean:
      return c.u8("boolean") !== 0;
    case Amf0.string:
      return c.utf8(c.u16("string length"), "string");
    case Amf0.longString:
    case Amf0.xmlDocument:
      return c.utf8(c.u32("long string length"), "long string");
    case Amf0.null:
      return null;
    case Amf0.undefined:
    case Amf0.unsupported:
      return undefined;
    case Amf0.object: {
      const obj: AmfObject = {};
      ctx.refs.push(obj);
      readProps(ctx, obj, depth, false);
      return obj;
    }
    case Amf0.typedObject: {
      c.utf8(c.u16("class name length"), "class name");
      const obj: AmfObject = {};
      ctx.refs.push(obj);
      readProps(ctx, obj, depth, false);
      return obj;
    }
    case Amf0.ecmaArray: {
      c.u32("ECMA array count");
      const obj = ecmaArray({} as AmfObject);
      ctx.refs.push(obj);
      readProps(ctx, obj, depth, true);
      return obj;
    }
    case Amf0.strictArray: {
      const n = c.u32("strict array count");
      // Each element takes at least one byte: a count beyond that is a lie, not a big array.
      if (n > c.left) c.fail(`strict array count ${n} exceeds the ${c.left} bytes that remain`, at);
      const arr: AmfValue[] = [];
      ctx.refs.push(arr);
      for (let i = 0; i < n; i++) arr.push(readValue(ctx, depth + 1));
      return arr;
    }
    case Amf0.date: {
      const ms = c.f64("date");
      c.u16("date time zone");
      return new Date(ms);
    }
    case Amf0.reference: {
      const i = c.u16("reference index");
      if (i >= ctx.refs.length) c.fail(`reference ${i} is invalid: only ${ctx.refs.length} objects seen`, at);
      return ctx.refs[i];
    }
    case Amf0.avmplus:
      return decodeAmf3Value(c, newAmf3Context(), depth + 1);
    case Amf0.objectEnd:
      return c.fail("object end marker 0x09 outside an object is invalid", at);
    default:
      return c.fail(`type marker 0x${marker.toString(16).padStart(2, "0")} is not a supported AMF0 type`, at);
  }
}

function readProps(ctx: Ctx, obj: AmfObject, depth: number, lenientEnd: boolean) {
  const c = ctx.c;
  for (;;) {
    // Some encoders end an ECMA array at the end of the body without the 00 00 09 marker.
    if (lenientEnd && c.left === 0) return;
    const key = c.utf8(c.u16("property name length"), "property name");
    if (key === "" && c.left > 0 && c.bytes[c.pos] === Amf0.objectEnd) {
      c.pos++;
      return;
    }
    obj[key] = readValue(ctx, depth + 1);
  }
}

/** Encodes values back to back (a command: name, transaction id, command object, args…). */
export function encodeAmf0(...values: AmfValue[]): Uint8Array {
  const w = new Writer();
  for (const v of values) writeValue(w, v, 0);
  return w.finish();
}

function writeString(w: Writer, s: string, what: string) {
  const b = textEncoder.encode(s);
  if (b.byteLength > 0xffff) throw new TypeError(`AMF0 ${what} of ${b.byteLength} bytes exceeds 65535`);
  w.u16(b.byteLength);
  w.bytes(b);
}

function writeProps(w: Writer, obj: AmfObject, depth: number) {
  for (const [k, v] of Object.entries(obj)) {
    writeString(w, k, "property name");
    writeValue(w, v, depth + 1);
  }
  w.u16(0);
  w.u8(Amf0.objectEnd);
}

function writeValue(w: Writer, v: AmfValue, depth: number): void {
  if (depth > MAX_DEPTH) throw new TypeError(`AMF0 value nests deeper than ${MAX_DEPTH} levels`);
  if (v === null) w.u8(Amf0.null);
  else if (v === undefined) w.u8(Amf0.undefined);
  else if (typeof v === "number") {
    w.u8(Amf0.number);
    w.f64(v);
  } else if (typeof v === "boolean") {
    w.u8(Amf0.boolean);
    w.u8(v ? 1 : 0);
  } else if (typeof v === "string") {
    const b = textEncoder.encode(v);
    if (b.byteLength > 0xffff) {
      w.u8(Amf0.longString);
      w.u32(b.byteLength);
    } else {
      w.u8(Amf0.string);
      w.u16(b.byteLength);
    }
    w.bytes(b);
  } else if (v instanceof Date) {
    w.u8(Amf0.date);
    w.f64(v.getTime());
    w.s16(0);
  } else if (Array.isArray(v)) {
    w.u8(Amf0.strictArray);
    w.u32(v.length);
    for (const x of v) writeValue(w, x, depth + 1);
  } else if (v instanceof Uint8Array) {
    // AMF0 has no byte array: switch to AMF3 for this value.
    w.u8(Amf0.avmplus);
    encodeAmf3Value(w, v, depth + 1);
  } else if (isEcmaArray(v)) {
    w.u8(Amf0.ecmaArray);
    w.u32(Object.keys(v).length);
    writeProps(w, v, depth);
  } else {
    w.u8(Amf0.object);
    writeProps(w, v, depth);
  }
}
