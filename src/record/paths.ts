/**
 * Recording paths: rec/<vhost>/<stream>/<YYYY-MM-DD>/<HH-MM-SS>.m3u8|.mpd, with the segments in a
 * folder of the same name beside the playlist. Every path segment is checked, so neither a stream
 * name nor a request can climb out of the recording root.
 */
import { BadNameError } from "../core/errors.ts";

const SAFE = /^[A-Za-z0-9_][A-Za-z0-9_.\-~@]*$/;
export const DAY = /^\d{4}-\d{2}-\d{2}$/;
export const TIME = /^\d{2}-\d{2}-\d{2}(?:_\d+)?$/;
export const DEFAULT_VHOST = "_default_";

/**
 * Names Windows refuses as files or folders (devices, with or without an extension: "CON", "nul.txt",
 * "COM1"), and a trailing dot, which Windows drops (so "cam." would land in "cam"). Refused on every OS,
 * so that a recording folder can be copied anywhere. (":" and "\\" never pass SAFE.)
 */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** Whether `s` may be one path segment under the root (no "..", no separators, no leading dot). */
export function isSafeSegment(s: string): boolean {
  return s.length > 0 && s.length <= 128 && SAFE.test(s) && !s.includes("..") && !WINDOWS_RESERVED.test(s) &&
    !s.endsWith(".");
}

export function checkSegment(s: string, what: string): string {
  if (!isSafeSegment(s)) {
    throw new BadNameError(
      s,
      `${what} must match [A-Za-z0-9_][A-Za-z0-9_.-~@]*, not contain "..", not end with "." and not be a ` +
        `name Windows reserves (CON, PRN, AUX, NUL, COM1-9, LPT1-9)`,
    );
  }
  return s;
}

/** The vhost folder for a publish URL's host: lower case, no port, DEFAULT_VHOST when unusable. */
export function vhostFolder(vhost: string): string {
  let h = vhost.trim().toLowerCase();
  if (h.startsWith("[")) h = h.slice(1, h.indexOf("]") > 0 ? h.indexOf("]") : undefined).replaceAll(":", "_");
  else if (h.indexOf(":") === h.lastIndexOf(":")) h = h.replace(/:\d*$/, "");
  else h = h.replaceAll(":", "_"); // a bare IPv6 address
  return isSafeSegment(h) ? h : DEFAULT_VHOST;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Local date and time of `ms`: ["2024-05-21", "18-22-11"]. */
export function dayAndTime(ms: number): [string, string] {
  const d = new Date(ms);
  return [
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    `${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}`,
  ];
}

/** Joins checked segments under a root. */
export function joinUnder(root: string, ...segments: string[]): string {
  for (const s of segments) checkSegment(s, "path segment");
  return [root.replace(/\/+$/, ""), ...segments].join("/");
}
