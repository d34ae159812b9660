/** HTTP Range requests (RFC 9110 §14): one byte range; multiple ranges are served as the whole file. */

export type RangeResult =
  /** No usable Range header: send the whole file (200). */
  | { kind: "full" }
  /** One satisfiable range: 206 with these inclusive bounds. */
  | { kind: "partial"; start: number; end: number }
  /** Well-formed but outside the file: 416 with `Content-Range: bytes *\/size`. */
  | { kind: "unsatisfiable" };

/**
 * Interprets a Range header against a file size. Syntax the server does not support (other units,
 * several ranges, garbage) is ignored, as the RFC allows, and the whole file is sent.
 */
export function parseRange(header: string | null, size: number): RangeResult {
  if (header === null) return { kind: "full" };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return { kind: "full" };
  if (m[1] === "") {
    // Suffix range: the last N bytes.
    const n = Number(m[2]);
    if (n === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  let end = m[2] === "" ? size - 1 : Number(m[2]);
  if (m[2] !== "" && end < start) return { kind: "full" }; // invalid syntax: ignore
  if (start >= size) return { kind: "unsatisfiable" };
  if (end >= size) end = size - 1;
  return { kind: "partial", start, end };
}

/** `Content-Range` for a partial response. */
export function contentRange(start: number, end: number, size: number): string {
  return `bytes ${start}-${end}/${size}`;
}
