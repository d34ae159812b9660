/**
 * The one error type of the HTTP front. `status` is the answer the client gets before the
 * connection closes (400, 413, 431, 501...); the message names the field, the value and the rule.
 */
export type HttpFrontErrorCode =
  | "bad_request"
  | "too_large"
  | "headers_too_large"
  | "not_implemented"
  | "bad_websocket"
  | "websocket_protocol";

export class HttpFrontError extends Error {
  readonly code: HttpFrontErrorCode;
  readonly status: number;
  /** Set once the client got this error's answer (no second one is written). */
  answered = false;

  constructor(code: HttpFrontErrorCode, status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HttpFrontError";
    this.code = code;
    this.status = status;
  }
}

export const badRequest = (msg: string): HttpFrontError => new HttpFrontError("bad_request", 400, msg);
