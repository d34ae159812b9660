/**
 * Typed errors with a stable `code`. Protocols map them to their own replies
 * (RTMP onStatus codes, HTTP statuses, RTSP status lines, SRT rejection reasons), each with one
 * table keyed by `ErrorCode`, so a refusal means the same thing everywhere (docs/api.md, Refusals).
 */

/** The codes of the core's errors: every protocol's refusal table answers each one. */
export const ERROR_CODES = [
  "auth_denied",
  "stream_busy",
  "not_found",
  "app_not_allowed",
  "bad_name",
  "forward_loop",
  "protocol",
  "config",
] as const;

export type ErrorCode = typeof ERROR_CODES[number];

/** The core code of `err`, or undefined for anything else (a bug, a socket error, a module's own error). */
export function errorCode(err: unknown): ErrorCode | undefined {
  if (!(err instanceof EstuaryError)) return undefined;
  return (ERROR_CODES as readonly string[]).includes(err.code) ? err.code as ErrorCode : undefined;
}

export class EstuaryError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The auth callback denied the request, or did not answer in time. */
export class AuthError extends EstuaryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("auth_denied", message, options);
  }
}

/** A second publisher tried to take a key that is already being published. */
export class StreamBusyError extends EstuaryError {
  constructor(key: string) {
    super("stream_busy", `stream ${key} is already being published`);
  }
}

/** A player asked for a stream that does not exist (and the caller chose not to wait). */
export class NotFoundError extends EstuaryError {
  constructor(message: string) {
    super("not_found", message);
  }
}

/** The app of a URL is not one of the configured live or record apps. */
export class AppNotAllowedError extends EstuaryError {
  constructor(app: string, allowed: readonly string[]) {
    super("app_not_allowed", `app "${app}" is not allowed: must be one of ${allowed.join(", ")}`);
  }
}

/** A stream name or app that is not a safe path segment (recording paths use it). */
export class BadNameError extends EstuaryError {
  constructor(name: string, rule: string) {
    super("bad_name", `stream name "${name}" is invalid: ${rule}`);
  }
}

/**
 * A publish that comes back through a forward chain: it names this server, or has been forwarded more
 * than the hop limit allows (A → B → A, or a longer ring with rewrites).
 */
export class ForwardLoopError extends EstuaryError {
  constructor(key: string, rule: string) {
    super("forward_loop", `publish of ${key} is a forward loop: ${rule}`);
  }
}

/** Malformed bytes from the network. Ends that session only. */
export class ProtocolError extends EstuaryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("protocol", message, options);
  }
}

/** An invalid configuration value; message names the element, the value and what is allowed. */
export class ConfigError extends EstuaryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("config", message, options);
  }
}
