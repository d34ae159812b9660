/**
 * policy.xml: which published streams are pushed to other servers (smart_rtmpd's forwarding).
 *   <vhosts><vhost name="rtmp://a.com/live"><forward rewrite="">10.0.0.2:1935</forward>…
 *     every stream under that tcUrl; rewrite "" keeps the source URL, otherwise rewrite + "/stream".
 *   <urls><url name="rtmp://a.com/live/sport"><forward rewrite="rtmps://b.net/live/x">1.2.3.4:1936</forward>…
 *     one stream; rewrite "" keeps the source URL, otherwise rewrite is the whole target URL.
 * The element text is the host[:port] to connect to. rtmps:// in the target URL means TLS.
 * Entries with an empty name or empty forward text are ignored (smart_rtmpd ships them as examples).
 */
import { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import { section, text } from "./_fields.ts";
import { specOf } from "./_spec.ts";
import { mapItem, parseXmlRoot } from "./xml.ts";

const TARGET = {
  re:
    /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-_]+)(:([1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5]))?$/,
  rule: "must be host or host:port with port 1..65535",
};
const REWRITE = { re: /^rtmps?:\/\/[^/\s]+(\/\S*)?$/i, rule: "must be empty or an rtmp:// or rtmps:// URL" };

const forward = section({ target: text("", TARGET), rewrite: text("", REWRITE) });
const entry = section({ name: text(""), forward: z.array(forward).default([]) });

const PolicyXmlSchema = section({
  vhosts: section({ vhost: z.array(entry).default([]) }),
  urls: section({ url: z.array(entry).default([]) }),
});
const SPEC = specOf(PolicyXmlSchema);
const TEXT_FIELDS = { "vhosts/vhost/forward": "target", "urls/url/forward": "target" };

export interface PolicyForward {
  /** host[:port] to connect to. */
  target: string;
  /** "" keeps the source URL. */
  rewrite: string;
}
export interface PolicyRule {
  /** A tcUrl (vhosts) or a full stream URL (urls). */
  name: string;
  forwards: PolicyForward[];
}
export interface Policy {
  vhosts: PolicyRule[];
  urls: PolicyRule[];
}

export function emptyPolicy(): Policy {
  return { vhosts: [], urls: [] };
}

type Entry = z.infer<typeof entry>;
function rules(entries: Entry[]): PolicyRule[] {
  return entries
    .map((e) => ({
      name: e.name,
      forwards: e.forward.filter((f) => f.target !== "").map((f) => ({
        target: f.target,
        rewrite: f.rewrite,
      })),
    }))
    .filter((r) => r.name !== "" && r.forwards.length > 0);
}

/** Parses policy.xml text; `name` (e.g. the file path) appears in messages. */
export function parsePolicy(xml: string, name = "policy text"): { policy: Policy; warnings: string[] } {
  const { item, warnings } = parseXmlRoot(xml, name, "policy");
  const raw = mapItem(item, SPEC, [], { name, textFields: TEXT_FIELDS, warnings });
  const r = PolicyXmlSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `/${String(p)}`)).join("").slice(
      1,
    );
    let value: unknown = raw;
    for (const k of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[k];
    throw new ConfigError(`${name}: ${path} = ${JSON.stringify(value)} is invalid: ${issue.message}`);
  }
  return { policy: { vhosts: rules(r.data.vhosts.vhost), urls: rules(r.data.urls.url) }, warnings };
}

/** Reads policy.xml. No file (or none given) means no forwarding. */
export function loadPolicy(file?: string): { policy: Policy; warnings: string[] } {
  if (file === undefined) return { policy: emptyPolicy(), warnings: [] };
  let xml: string;
  try {
    xml = Deno.readTextFileSync(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { policy: emptyPolicy(), warnings: [] };
    throw new ConfigError(`policy file ${file} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  return parsePolicy(xml, `policy file ${file}`);
}

export interface ForwardTarget {
  /** Where to connect. */
  host: string;
  port: number;
  /** The URL to publish as (tcUrl + "/" + stream). */
  url: string;
  tls: boolean;
}

/** The pushes a newly published stream triggers. `tcUrl` is e.g. "rtmp://a.com/live". */
export function forwardTargets(policy: Policy, src: { tcUrl: string; stream: string }): ForwardTarget[] {
  const tcUrl = src.tcUrl.replace(/\/+$/, "");
  const source = `${tcUrl}/${src.stream}`;
  const out: ForwardTarget[] = [];
  const add = (f: PolicyForward, url: string) => {
    const tls = /^rtmps:/i.test(url);
    const m = /^(.*?)(?::(\d+))?$/.exec(f.target)!;
    const port = m[2] ? Number(m[2]) : urlPort(url) ?? (tls ? 443 : 1935);
    out.push({ host: m[1].replace(/^\[|\]$/g, ""), port, url, tls });
  };
  for (const r of policy.vhosts) {
    if (sameUrl(r.name, tcUrl)) {
      for (const f of r.forwards) {
        add(f, f.rewrite === "" ? source : `${f.rewrite.replace(/\/+$/, "")}/${src.stream}`);
      }
    }
  }
  for (const r of policy.urls) {
    if (sameUrl(r.name, source)) {
      for (const f of r.forwards) add(f, f.rewrite === "" ? source : f.rewrite);
    }
  }
  return out;
}

function urlPort(url: string): number | undefined {
  const m = /^[a-z]+:\/\/[^/]*:(\d+)(\/|$)/i.exec(url);
  return m ? Number(m[1]) : undefined;
}

/** Compares URLs ignoring scheme/host case, the default port, a trailing slash and a query. */
function sameUrl(a: string, b: string): boolean {
  return normalize(a) === normalize(b);
}

function normalize(u: string): string {
  const m = /^([a-z]+):\/\/([^/?]+)([^?]*)/i.exec(u.trim());
  if (!m) return u.trim();
  const scheme = m[1].toLowerCase();
  let host = m[2].toLowerCase();
  const def = scheme === "rtmps" ? ":443" : ":1935";
  if (host.endsWith(def)) host = host.slice(0, -def.length);
  return `${scheme}://${host}${m[3].replace(/\/+$/, "")}`;
}
