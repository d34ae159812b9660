import { ProtocolError } from "../../core/errors.ts";

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** A read position over AMF bytes; every read is bounds-checked and names the offset on failure. */
export class Cursor {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos: number;
  /** "AMF0" or "AMF3", for error messages. */
  format: string;

  constructor(bytes: Uint8Array, pos = 0, format = "AMF0") {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
    this.format = format;
  }

  get left(): number {
    return this.bytes.byteLength - this.pos;
  }

  fail(rule: string, at = this.pos): never {
    throw new ProtocolError(`${this.format} at offset ${at}: ${rule}`);
  }

  need(n: number, what: string): void {
    if (n > this.left) this.fail(`${what} needs ${n} bytes but only ${this.left} remain`);
  }

  u8(what = "type marker"): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  f64(what: string): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  utf8(n: number, what: string): string {
    this.need(n, what);
    const s = n === 0 ? "" : utf8.decode(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }

  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

/** A growable output buffer for encoders. */
export class Writer {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #len = 0;

  #grow(n: number) {
    if (this.#len + n <= this.#buf.byteLength) return;
    let size = this.#buf.byteLength * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number) {
    this.#grow(1);
    this.#buf[this.#len++] = v;
  }
  u16(v: number) {
    this.#grow(2);
    this.#view.setUint16(this.#len, v);
    this.#len += 2;
  }
  s16(v: number) {
    this.#grow(2);
    this.#view.setInt16(this.#len, v);
    this.#len += 2;
  }
  u32(v: number) {
    this.#grow(4);
    this.#view.setUint32(this.#len, v);
    this.#len += 4;
  }
  f64(v: number) {
    this.#grow(8);
    this.#view.setFloat64(this.#len, v);
    this.#len += 8;
  }
  bytes(b: Uint8Array) {
    this.#grow(b.byteLength);
    this.#buf.set(b, this.#len);
    this.#len += b.byteLength;
  }
  get length(): number {
    return this.#len;
  }
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

export const textEncoder = new TextEncoder();
