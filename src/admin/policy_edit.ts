/**
 * policy.xml from the admin: the file's text is edited as a whole (it is short and its comments are
 * the user's), checked by the same parser a start uses, shown as a difference of what it does (forward
 * rules and pulls added or removed), and saved like the config (atomic, `.bak`) before a live reload.
 * smart_rtmpd's `/api/policy` JSON shape maps to the same file.
 */
import { parsePolicy, type Policy } from "../config/mod.ts";

/** The effect of a new policy, one line per rule or pull added ("+") or removed ("-"). */
export function policyDiff(before: Policy, after: Policy): string[] {
  const lines = (p: Policy) => [
    ...p.vhosts.flatMap((r) =>
      r.forwards.map((f) => `forward ${r.name}/* → ${f.target}${f.rewrite ? ` as ${f.rewrite}` : ""}`)
    ),
    ...p.urls.flatMap((r) =>
      r.forwards.map((f) => `forward ${r.name} → ${f.target}${f.rewrite ? ` as ${f.rewrite}` : ""}`)
    ),
    ...p.pulls.map((x) =>
      `pull ${x.name} ← ${x.url.replace(/\/\/[^@/]*@/, "//")}${x.ondemand ? " (on demand)" : ""}`
    ),
  ];
  const a = new Set(lines(before)), b = new Set(lines(after));
  return [
    ...[...a].filter((l) => !b.has(l)).map((l) => `- ${l}`),
    ...[...b].filter((l) => !a.has(l)).map((l) => `+ ${l}`),
  ];
}

/** Checks policy.xml text; throws ConfigError naming the entry, the value and the rule. */
export function checkPolicyText(text: string): Policy {
  return parsePolicy(text, "policy.xml").policy;
}

interface SmartForward {
  rewrite?: string;
  host?: string;
}

/** smart_rtmpd's `/api/policy` JSON of a policy (pulls are Estuary's and not in it). */
export function toSmartPolicy(p: Policy) {
  const fw = (fs: { target: string; rewrite: string }[]) =>
    fs.map((f) => ({ rewrite: f.rewrite, host: f.target }));
  return {
    vhosts: p.vhosts.map((r) => ({ vhost: r.name, forward: fw(r.forwards) })),
    urls: p.urls.map((r) => ({ url: r.name, forward: fw(r.forwards) })),
  };
}

const esc = (s: unknown) =>
  String(s ?? "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

/** policy.xml text from smart_rtmpd's JSON, keeping this server's pulls. */
export function fromSmartPolicy(json: unknown, keep: Policy): string {
  const o = (json ?? {}) as { vhosts?: unknown; urls?: unknown };
  const list = (v: unknown) => (Array.isArray(v) ? v : []) as Record<string, unknown>[];
  const forwards = (e: Record<string, unknown>) =>
    list(e.forward).map((f) =>
      `      <forward rewrite="${esc((f as SmartForward).rewrite)}">${
        esc((f as SmartForward).host)
      }</forward>`
    )
      .join("\n");
  const vhosts = list(o.vhosts).map((e) => `    <vhost name="${esc(e.vhost)}">\n${forwards(e)}\n    </vhost>`)
    .join("\n");
  const urls = list(o.urls).map((e) => `    <url name="${esc(e.url)}">\n${forwards(e)}\n    </url>`).join(
    "\n",
  );
  const pulls = keep.pulls.map((x) =>
    `    <pull name="${esc(x.name)}" ondemand="${x.ondemand}">${esc(x.url)}</pull>`
  ).join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by Estuary from smart_rtmpd's /api/policy; the previous file is policy.xml.bak. -->
<policy>
  <vhosts>
${vhosts}
  </vhosts>
  <urls>
${urls}
  </urls>
  <pulls>
${pulls}
  </pulls>
</policy>
`;
}
