/**
 * What a playlist or manifest request gets, written either by the front's hot route (bytes) or by
 * the routed path (a fetch Response): a prebuilt 200, or a refusal as the usual JSON {code, msg}.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { CORS_FIELDS } from "./cors_headers.ts";
import { PrebuiltResponse } from "./prebuilt.ts";

/** A refusal; `noStore` for a segment that is not there (a CDN edge must ask again). */
export type Answer = PrebuiltResponse | { status: number; msg: string; noStore?: boolean };

const ENC = new TextEncoder();
const JSON_FIELDS = [...CORS_FIELDS, ["content-type", "application/json"]] as const;
const NO_STORE_FIELDS = [...JSON_FIELDS, ["cache-control", "no-store"]] as const;

/** The answer as complete HTTP/1.1 response bytes (a refusal is built here: refusals are rare). */
export function answerBytes(a: Answer): Uint8Array {
  if (a instanceof PrebuiltResponse) return a.now();
  const body = ENC.encode(JSON.stringify({ code: a.status, msg: a.msg }));
  return new PrebuiltResponse(a.status, a.noStore ? NO_STORE_FIELDS : JSON_FIELDS, body).bytes;
}

/** The answer as a fetch Response (the app's middleware adds CORS). */
export function answerResponse(c: Context, a: Answer): Response {
  if (a instanceof PrebuiltResponse) {
    const headers = new Headers(a.fields as [string, string][]);
    headers.set("content-length", String(a.body.byteLength));
    return new Response(a.body as Uint8Array<ArrayBuffer>, { headers });
  }
  if (a.noStore) c.header("cache-control", "no-store");
  return c.json({ code: a.status, msg: a.msg }, a.status as ContentfulStatusCode);
}
