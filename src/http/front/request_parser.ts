/**
 * A strict HTTP/1.1 request head parser (RFC 9112 §2-3, §5-7; field syntax from RFC 9110 §5).
 * It refuses what lets two parsers disagree about where a request ends (request smuggling):
 * Content-Length beside Transfer-Encoding, several Content-Length values, obs-fold, bare LF,
 * bytes outside the field grammar, and any transfer coding but a lone `chunked`.
 */
import { badRequest, HttpFrontError } from "./errors.ts";

export interface HeadLimits {
  /** Longest request line, CRLF excluded. */
  maxRequestLine: number;
  /** Most header fields. */
  maxHeaders: number;
  /** Most bytes of the whole head (request line, fields, CRLFs). */
  maxHeadBytes: number;
}

export const DEFAULT_HEAD_LIMITS: HeadLimits = { maxRequestLine: 8192, maxHeaders: 100, maxHeadBytes: 32768 };

export type BodyKind = { kind: "none" } | { kind: "length"; length: number } | { kind: "chunked" };

export interface RequestHead {
  method: string;
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: number;
  /** Field names lower-cased, in arrival order. */
  headers: [string, string][];
  body: BodyKind;
  /** Whether the connection may carry another request after this one (RFC 9112 §9.3). */
  keepAlive: boolean;
  /** Bytes the head took, final CRLFCRLF included. */
  size: number;
}

const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible ASCII, obs-text, SP and HTAB (RFC 9110 §5.5); no CTLs, no NUL.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const TARGET = /^[\x21-\x7e]+$/;
const LATIN1 = new TextDecoder("latin1");

/**
 * Parses the head at the start of `buf`, or returns undefined when it is not complete yet.
 * Throws HttpFrontError (400, 431, 501) for a head that breaks the grammar or the limits.
 */
export function parseRequestHead(
  buf: Uint8Array,
  limits: HeadLimits = DEFAULT_HEAD_LIMITS,
): RequestHead | undefined {
  const end = findHeadEnd(buf, limits);
  if (end < 0) return undefined;
  const text = LATIN1.decode(buf.subarray(0, end));
  const lines = text.split("\r\n");
  const requestLine = lines[0];
  if (requestLine.length > limits.maxRequestLine) {
    throw new HttpFrontError(
      "too_large",
      414,
      `request line of ${requestLine.length} bytes refused: at most ${limits.maxRequestLine}`,
    );
  }
  const [method, target, version, extra] = requestLine.split(" ");
  if (extra !== undefined || !method || !target || !version) {
    throw badRequest(
      `request line ${
        JSON.stringify(requestLine.slice(0, 80))
      } is invalid: must be METHOD SP target SP HTTP/1.x`,
    );
  }
  if (!TCHAR.test(method)) {
    throw badRequest(`method ${JSON.stringify(method.slice(0, 40))} is invalid: must be a token`);
  }
  if (!TARGET.test(target)) throw badRequest(`request target is invalid: must be visible ASCII`);
  const minor = version === "HTTP/1.1" ? 1 : version === "HTTP/1.0" ? 0 : -1;
  if (minor < 0) {
    throw new HttpFrontError(
      "not_implemented",
      505,
      `version ${JSON.stringify(version.slice(0, 20))} is not supported: must be HTTP/1.0 or HTTP/1.1`,
    );
  }
  const fieldLines = lines.slice(1);
  if (fieldLines.length > limits.maxHeaders) {
    throw new HttpFrontError(
      "headers_too_large",
      431,
      `${fieldLines.length} header fields refused: at most ${limits.maxHeaders}`,
    );
  }
  const headers: [string, string][] = [];
  for (const line of fieldLines) headers.push(parseField(line));
  return {
    method,
    target,
    minor,
    headers,
    body: bodyKind(headers),
    keepAlive: keepAlive(minor, headers),
    size: end + 4,
  };
}

/** Index of the CRLFCRLF ending the head, -1 when not there yet; refuses bare LF and oversize. */
function findHeadEnd(buf: Uint8Array, limits: HeadLimits): number {
  const n = Math.min(buf.length, limits.maxHeadBytes + 4);
  for (let i = 0; i < n; i++) {
    const b = buf[i];
    if (b === 0x0a) {
      if (i === 0 || buf[i - 1] !== 0x0d) {
        throw badRequest(`bare LF at byte ${i} of the request head: lines must end with CRLF`);
      }
    } else if (b === 0x0d && i + 1 < buf.length && buf[i + 1] !== 0x0a) {
      throw badRequest(`bare CR at byte ${i} of the request head: lines must end with CRLF`);
    }
    if (b === 0x0a && i >= 3 && buf[i - 2] === 0x0a) return i - 3;
  }
  if (buf.length > limits.maxHeadBytes) {
    throw new HttpFrontError(
      "headers_too_large",
      431,
      `request head over ${limits.maxHeadBytes} bytes refused`,
    );
  }
  return -1;
}

function parseField(line: string): [string, string] {
  if (line.startsWith(" ") || line.startsWith("\t")) {
    throw badRequest("obs-fold (a header line starting with whitespace) is refused (RFC 9112 §5.2)");
  }
  const colon = line.indexOf(":");
  const name = colon < 0 ? line : line.slice(0, colon);
  if (colon <= 0 || !TCHAR.test(name)) {
    throw badRequest(
      `header name ${JSON.stringify(name.slice(0, 40))} is invalid: must be a token followed by ':'`,
    );
  }
  const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
  if (!FIELD_VALUE.test(value)) throw badRequest(`header ${name} has a control character in its value`);
  return [name.toLowerCase(), value];
}

/** RFC 9112 §6: where the body ends, refusing every ambiguous framing. */
function bodyKind(headers: [string, string][]): BodyKind {
  const lengths = headers.filter(([n]) => n === "content-length").map(([, v]) => v);
  const codings = headers.filter(([n]) => n === "transfer-encoding").map(([, v]) => v);
  if (codings.length > 0) {
    if (lengths.length > 0) {
      throw badRequest("Content-Length together with Transfer-Encoding is refused (RFC 9112 §6.1)");
    }
    const list = codings.join(",").split(",").map((s) => s.trim().toLowerCase());
    if (list.length !== 1 || list[0] !== "chunked") {
      throw new HttpFrontError(
        "not_implemented",
        501,
        `Transfer-Encoding ${
          JSON.stringify(codings.join(", ").slice(0, 60))
        } is not supported: must be chunked`,
      );
    }
    return { kind: "chunked" };
  }
  if (lengths.length === 0) return { kind: "none" };
  if (lengths.length > 1) throw badRequest(`${lengths.length} Content-Length fields refused: at most one`);
  const v = lengths[0];
  if (!/^[0-9]{1,15}$/.test(v)) {
    throw badRequest(`Content-Length ${JSON.stringify(v.slice(0, 20))} is invalid: must be 1-15 digits`);
  }
  const length = Number(v);
  return length === 0 ? { kind: "none" } : { kind: "length", length };
}

function keepAlive(minor: number, headers: [string, string][]): boolean {
  const tokens = connectionTokens(headers);
  return minor === 1 ? !tokens.includes("close") : tokens.includes("keep-alive");
}

/** The Connection field's tokens, lower-cased. */
export function connectionTokens(headers: [string, string][]): string[] {
  return headers.filter(([n]) => n === "connection").flatMap(([, v]) =>
    v.toLowerCase().split(",").map((s) => s.trim())
  );
}

/** The value of a field given once, "" when absent; several are joined with ", " (RFC 9110 §5.3). */
export function headerValue(headers: [string, string][], name: string): string {
  return headers.filter(([n]) => n === name).map(([, v]) => v).join(", ");
}
