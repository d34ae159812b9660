import { Cursor, textEncoder, Writer } from "./_cursor.ts";
import { type AmfObject, type AmfValue, ecmaArray, isEcmaArray, MAX_DEPTH } from "./types.ts";

/** AMF3 type markers (AMF3 spec §3.1). */
export const Amf3 = {
  undefined: 0x00,
  null: 0x01,
  false: 0x02,
  true: 0x03,
  integer: 0x04,
  double: 0x05,
  string: 0x06,
  xmlDoc: 0x07,
  date: 0x08,
  array: 0x09,
  object: 0x0a,
  xml: 0x0b,
  byteArray: 0x0c,
  vectorInt: 0x0d,
  vectorUint: 0x0e,
  vectorDouble: 0x0f,
  vectorObject: 0x10,
  dictionary: 0x11,
} as const;

interface Traits {
  sealed: string[];
  dynamic: boolean;
}

/** The three reference tables of one AMF3 scope. */
export interface Amf3Context {
  strings: string[];
  objects: AmfValue[];
  traits: Traits[];
}

export function newAmf3Context(): Amf3Context {
  return { strings: [], objects: [], traits: [] };
}

/** Decodes one AMF3 value at `offset`. */
export function decodeAmf3(bytes: Uint8Array, offset = 0): { value: AmfValue; end: number } {
  const c = new Cursor(bytes, offset, "AMF3");
  const value = decodeAmf3Value(c, newAmf3Context(), 0);
  return { value, end: c.pos };
}

/** Encodes one value as AMF3 (no reference tables: every value is written inline). */
export function encodeAmf3(value: AmfValue): Uint8Array {
  const w = new Writer();
  encodeAmf3Value(w, value, 0);
  return w.finish();
}

function u29(c: Cursor): number {
  let v = 0;
  for (let i = 0; i < 3; i++) {
    const b = c.u8("U29 integer");
    v = (v << 7) | (b & 0x7f);
    if ((b & 0x80) === 0) return v;
  }
  return ((v << 8) | c.u8("U29 integer")) >>> 0;
}

function readString(c: Cursor, ctx: Amf3Context): string {
  const at = c.pos;
  const h = u29(c);
  if ((h & 1) === 0) return ref(c, ctx.strings, h >>> 1, "string", at);
  const s = c.utf8(h >>> 1, "string");
  if (s !== "") ctx.strings.push(s);
  return s;
}

function ref<T>(c: Cursor, table: T[], i: number, what: string, at: number): T {
  if (i >= table.length) c.fail(`${what} reference ${i} is invalid: only ${table.length} seen`, at);
  return table[i];
}

/** @internal Used by AMF0's avmplus switch (0x11) too; the cursor carries the position. */
export function decodeAmf3Value(c: Cursor, ctx: Amf3Context, depth: number): AmfValue {
  const saved = c.format;
  c.format = "AMF3";
  try {
    return readValue(c, ctx, depth);
  } finally {
    c.format = saved;
  }
}

function readValue(c: Cursor, ctx: Amf3Context, depth: number): AmfValue {
  if (depth > MAX_DEPTH) c.fail(`nesting deeper than ${MAX_DEPTH} levels is not allowed`);
  const at = c.pos;
  const marker = c.u8();
  switch (marker) {
    case Amf3.undefined:
      return undefined;
    case Amf3.null:
      return null;
    case Amf3.false:
      return false;
    case Amf3.true:
      return true;
    case Amf3.integer:
      return (u29(c) << 3) >> 3; // sign-extend 29 bits
    case Amf3.double:
      return c.f64("double");
    case Amf3.string:
      return readString(c, ctx);
    case Amf3.xmlDoc:
    case Amf3.xml: {
      const h = u29(c);
      if ((h & 1) === 0) return ref(c, ctx.objects, h >>> 1, "object", at);
      const s = c.utf8(h >>> 1, "XML");
      ctx.objects.push(s);
      return s;
    }
    case Amf3.date: {
      const h = u29(c);
      if ((h & 1) === 0) return ref(c, ctx.objects, h >>> 1, "object", at);
      const d = new Date(c.f64("date"));
      ctx.objects.push(d);
      return d;
    }
    case Amf3.byteArray: {
      const h = u29(c);
      if ((h & 1) === 0) return ref(c, ctx.objects, h >>> 1, "object", at);
      const b = c.take(h >>> 1, "byte array").slice();
      ctx.objects.push(b);
      return b;
    }
    case Amf3.array:
      return readArray(c, ctx, depth, at);
    case Amf3.object:
      return readObject(c, ctx, depth, at);
    case Amf3.vectorInt:
    case Amf3.vectorUint:
    case Amf3.vectorDouble:
    case Amf3.vectorObject:
      return readVector(c, ctx, depth, marker, at);
    case Amf3.dictionary: {
      const h = u29(c);
      if ((h & 1) === 0) return ref(c, ctx.objects, h >>> 1, "object", at);
      const n = h >>> 1;
      if (n * 2 > c.left) c.fail(`dictionary count ${n} exceeds the ${c.left} bytes that remain`, at);
      c.u8("dictionary weak-keys flag");
      const obj: AmfObject = {};
      ctx.objects.push(obj);
      for (let i = 0; i < n; i++) {
        const k = readValue(c, ctx, depth + 1);
        obj[String(k)] = readValue(c, ctx, depth + 1);
      }
      return obj;
    }
    default:
      return c.fail(`type marker 0x${marker.toString(16).padStart(2, "0")} is not a supported AMF3 type`, at);
  }
}

function readArray(c: Cursor, ctx: Amf3Context, depth: number, at: number): AmfValue {
  const h = u29(c);
  if ((h & 1) === 0) return ref(c, ctx.objects, h >>> 1, "object", at);
  const n = h >>> 1;
  if (n > c.left) c.fail(`array count ${n} exceeds the ${c.left} bytes that remain`, at);
  const dense: AmfValue[] = [];
  const slot = ctx.objects.length;
  ctx.objects.push(dense);
  let assoc: AmfObject | undefined;
  for (;;) {
    const k = readString(c, ctx);
    if (k === "") break;
    assoc ??= ecmaArray({} as AmfObject);
    assoc[k] = readValue(c, ctx, depth + 1);
  }
  for (let i = 0; i < n; i++) dense.push(readValue(c, ctx, depth + 1));
  if (!assoc) return dense;
  // A mixed array: keep the dense part under its indexes.
  dense.forEach((v, i) => assoc[String(i)] = v);
  ctx.objects[slot] = assoc;
  return assoc;
}

function readObject(c: Cursor, ctx: Amf3Context, depth: number, at: number): AmfValue {
  const h = u29(c);
  if ((h & 1) === 0) return ref(c, ctx.objects, h >>> 1, "object", at);
  let traits: Traits;
  if ((h & 2) === 0) traits = ref(c, ctx.traits, h >>> 2, "traits", at);
  else {
    if ((h & 4) !== 0) c.fail("externalizable objects are not supported", at);
    const count = h >>> 4;
    if (count > c.left) c.fail(`sealed member count ${count} exceeds the ${c.left} bytes that remain`, at);
    readString(c, ctx); // class name: we only need the members
    const sealed: string[] = [];
    for (let i = 0; i < count; i++) sealed.push(readString(c, ctx));
    traits = { sealed, dynamic: (h & 8) !== 0 };
    ctx.traits.push(traits);
  }
  const obj: AmfObject = {};
  ctx.objects.push(obj);
  for (const k of traits.sealed) obj[k] = readValue(c, ctx, depth + 1);
  if (traits.dynamic) {
    for (;;) {
      const k = readString(c, ctx);
      if (k === "") break;
      obj[k] = readValue(c, ctx, depth + 1);
    }
  }
  return obj;
}

function readVector(c: Cursor, ctx: Amf3Context, depth: number, marker: number, at: number): AmfValue {
  const h = u29(c);
  if ((h & 1) === 0) return ref(c, ctx.objects, h >>> 1, "object", at);
  const n = h >>> 1;
  const size = marker === Amf3.vectorDouble ? 8 : marker === Amf3.vectorObject ? 1 : 4;
  if (n * size > c.left) c.fail(`vector count ${n} exceeds the ${c.left} bytes that remain`, at);
  c.u8("vector fixed flag");
  const out: AmfValue[] = [];
  ctx.objects.push(out);
  if (marker === Amf3.vectorObject) readString(c, ctx); // element class name
  for (let i = 0; i < n; i++) {
    if (marker === Amf3.vectorInt) out.push(c.u32("vector item") | 0);
    else if (marker === Amf3.vectorUint) out.push(c.u32("vector item"));
    else if (marker === Amf3.vectorDouble) out.push(c.f64("vector item"));
    else out.push(readValue(c, ctx, depth + 1));
  }
  return out;
}

function writeU29(w: Writer, v: number) {
  v &= 0x1fffffff;
  if (v < 0x80) w.u8(v);
  else if (v < 0x4000) {
    w.u8((v >> 7) | 0x80);
    w.u8(v & 0x7f);
  } else if (v < 0x200000) {
    w.u8((v >> 14) | 0x80);
    w.u8(((v >> 7) & 0x7f) | 0x80);
    w.u8(v & 0x7f);
  } else {
    w.u8((v >> 22) | 0x80);
    w.u8(((v >> 15) & 0x7f) | 0x80);
    w.u8(((v >> 8) & 0x7f) | 0x80);
    w.u8(v & 0xff);
  }
}

function writeStr(w: Writer, s: string) {
  const b = textEncoder.encode(s);
  if (b.byteLength > 0xfffffff) throw new TypeError(`AMF3 string of ${b.byteLength} bytes is too long`);
  writeU29(w, (b.byteLength << 1) | 1);
  w.bytes(b);
}

/** @internal Also used by AMF0 to carry values AMF0 cannot express (byte arrays). */
export function encodeAmf3Value(w: Writer, v: AmfValue, depth: number): void {
  if (depth > MAX_DEPTH) throw new TypeError(`AMF3 value nests deeper than ${MAX_DEPTH} levels`);
  if (v === undefined) w.u8(Amf3.undefined);
  else if (v === null) w.u8(Amf3.null);
  else if (v === false) w.u8(Amf3.false);
  else if (v === true) w.u8(Amf3.true);
  else if (typeof v === "number") {
    if (Number.isInteger(v) && v >= -0x10000000 && v <= 0x0fffffff && !Object.is(v, -0)) {
      w.u8(Amf3.integer);
      writeU29(w, v);
    } else {
      w.u8(Amf3.double);
      w.f64(v);
    }
  } else if (typeof v === "string") {
    w.u8(Amf3.string);
    writeStr(w, v);
  } else if (v instanceof Date) {
    w.u8(Amf3.date);
    w.u8(1);
    w.f64(v.getTime());
  } else if (v instanceof Uint8Array) {
    w.u8(Amf3.byteArray);
    writeU29(w, (v.byteLength << 1) | 1);
    w.bytes(v);
  } else if (Array.isArray(v)) {
    w.u8(Amf3.array);
    writeU29(w, (v.length << 1) | 1);
    w.u8(0x01); // no associative part
    for (const x of v) encodeAmf3Value(w, x, depth + 1);
  } else if (isEcmaArray(v)) {
    w.u8(Amf3.array);
    w.u8(0x01); // dense count 0
    for (const [k, x] of Object.entries(v)) {
      if (k === "") continue; // an empty key ends the associative part
      writeStr(w, k);
      encodeAmf3Value(w, x, depth + 1);
    }
    w.u8(0x01);
  } else {
    w.u8(Amf3.object);
    w.u8(0x0b); // inline traits, dynamic, 0 sealed members
    w.u8(0x01); // anonymous class
    for (const [k, x] of Object.entries(v)) {
      if (k === "") continue;
      writeStr(w, k);
      encodeAmf3Value(w, x, depth + 1);
    }
    w.u8(0x01);
  }
}
