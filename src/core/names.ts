import { BadNameError } from "./errors.ts";

/** App and stream names become path segments (recording folders), so they must be safe file names. */
const SAFE = /^[A-Za-z0-9_][A-Za-z0-9_.\-~@]*$/;

export function checkName(name: string, what = "stream name"): string {
  if (name.length === 0) throw new BadNameError(name, `${what} must not be empty`);
  if (name.length > 128) throw new BadNameError(name, `${what} must be at most 128 characters`);
  if (!SAFE.test(name) || name.includes("..")) {
    throw new BadNameError(name, `${what} must match [A-Za-z0-9_][A-Za-z0-9_.-~@]* and not contain ".."`);
  }
  return name;
}

/** Splits "name?query" as RTMP players send it. */
export function splitQuery(s: string): { name: string; query: string } {
  const i = s.indexOf("?");
  return i < 0 ? { name: s, query: "" } : { name: s.slice(0, i), query: s.slice(i + 1) };
}
