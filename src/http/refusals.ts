/**
 * HTTP's table from an admission refusal (`EstuaryError.code`) to its status. The other protocols
 * keep the same meaning in their own words (docs/api.md, "Refusals"): a denied callback or an app
 * that is not served is 403 everywhere, a stream that is not live 404, a bad name 400, a busy key 409.
 */
import { EstuaryError } from "../core/mod.ts";

export type RefusalStatus = 400 | 403 | 404 | 409;

export const HTTP_REFUSALS: Readonly<Record<string, RefusalStatus>> = {
  auth_denied: 403,
  app_not_allowed: 403,
  not_found: 404,
  bad_name: 400,
  forward_loop: 403,
  stream_busy: 409,
  protocol: 400,
};

/** The status and message for a refusal, or undefined for an error that is not one (a bug: 500). */
export function admissionStatus(err: unknown): { status: RefusalStatus; msg: string } | undefined {
  if (!(err instanceof EstuaryError)) return undefined;
  const status = HTTP_REFUSALS[err.code];
  return status === undefined ? undefined : { status, msg: err.message };
}
