/**
 * policy.xml: which published streams are pushed to other servers (smart_rtmpd's forwarding).
 *   <vhosts><vhost name="rtmp://a.com/live"><forward rewrite="">10.0.0.2:1935</forward>…
 *     every stream under that tcUrl; rewrite "" keeps the source URL, otherwise rewrite + "/stream".
 *   <urls><url name="rtmp://a.com/live/sport"><forward rewrite="rtmps://b.net/live/x">1.2.3.4:1936</forward>…
 *     one stream; rewrite "" keeps the source URL, otherwise rewrite is the whole target URL.
 * The element text is the host[:port] to connect to. rtmps:// in the target URL means TLS.
 * Entries with an empty name or empty forward text are ignored (smart_rtmpd ships them as examples).
 *   <pulls><pull name="live/cam1" ondemand="true">rtsp://user:pass@camera/stream</pull>…   (Estuary)
 *     a stream pulled from a source: rtsp(s)://, rtmp(s)://, srt://, http(s)://….flv; always on, or
 *     only while someone plays it (ondemand).
 * This file only parses; src/cluster/ resolves the targets of a stream and forwards it.
 */
import * as z from "./_validate.ts";
import { ConfigError } from "../core/errors.ts";
import { bool, section, text } from "./_fields.ts";
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

const SOURCE = {
  re: /^(rtsps?|rtmps?|srt|https?):\/\/\S+$/i,
  rule: "must be an rtsp://, rtsps://, rtmp://, rtmps://, srt://, http:// or https:// URL",
};
const STREAM = {
  re: /^([A-Za-z0-9_][A-Za-z0-9_.\-~@]*\/[A-Za-z0-9_][A-Za-z0-9_.\-~@]*)?$/,
  rule: "must be app/name",
};
const pull = section({ name: text("", STREAM), url: text("", SOURCE), ondemand: bool(false) });

const PolicyXmlSchema = section({
  vhosts: section({ vhost: z.array(entry).default([]) }),
  urls: section({ url: z.array(entry).default([]) }),
  pulls: section({ pull: z.array(pull).default([]) }),
});
const SPEC = specOf(PolicyXmlSchema);
const TEXT_FIELDS = { "vhosts/vhost/forward": "target", "urls/url/forward": "target", "pulls/pull": "url" };

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
/** A stream this server pulls from a source (policy.xml `<pulls>`). */
export interface PolicyPull {
  /** app/name of the stream here. */
  name: string;
  url: string;
  /** Pulled only while someone plays it; otherwise always (restarted after a failure). */
  ondemand: boolean;
}

export interface Policy {
  vhosts: PolicyRule[];
  urls: PolicyRule[];
  pulls: PolicyPull[];
}

export function emptyPolicy(): Policy {
  return { vhosts: [], urls: [], pulls: [] };
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
  const pulls = r.data.pulls.pull.filter((p) => p.name !== "" && p.url !== "");
  const names = new Set<string>();
  for (const p of pulls) {
    if (names.has(p.name)) {
      throw new ConfigError(`${name}: pulls/pull name="${p.name}" is invalid: a stream is pulled once`);
    }
    names.add(p.name);
  }
  return { policy: { vhosts: rules(r.data.vhosts.vhost), urls: rules(r.data.urls.url), pulls }, warnings };
}

/**
 * The policy.xml that goes with a config file: the one beside it, or `<root>/conf/policy.xml` when the
 * server runs on built-in defaults. `--policy FILE` overrides both (the caller passes it as is).
 */
export function policyFileFor(configFile: string | null | undefined, root: string): string {
  if (!configFile) return `${root.replace(/\/+$/, "")}/conf/policy.xml`;
  const slash = configFile.lastIndexOf("/");
  return slash < 0 ? "policy.xml" : `${configFile.slice(0, slash + 1)}policy.xml`;
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
