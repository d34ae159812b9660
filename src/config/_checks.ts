/**
 * Rules that span several elements. Errors are schema issues (so they read like every other invalid
 * value); warnings are for settings that are valid but will not do what the user may expect.
 */
import type { RefineCtx } from "./_validate.ts";
import type { Config } from "./sections.ts";
import { listeners, tlsReady } from "./listeners.ts";

export function checkConfig(c: Config, ctx: RefineCtx): void {
  const fail = (path: (string | number)[], input: unknown, message: string) =>
    ctx.addIssue({ code: "custom", path, input, message });

  if (c.rtp.min > c.rtp.max) fail(["rtp", "min"], c.rtp.min, `must be <= rtp.max (${c.rtp.max})`);

  const both = c.rtmp.recApps.filter((a) => c.rtmp.liveApps.includes(a));
  if (both.length > 0) {
    fail(["rtmp", "rec"], c.rtmp.rec, `app ${both.join(", ")} is already a live app (rtmp.live)`);
  }

  const seen: { path: string; transport: string; ip: string; port: number }[] = [];
  for (const l of listeners(c)) {
    if (l.port === 0) continue; // "any free port" never collides
    const clash = seen.find((s) =>
      s.transport === l.transport && s.port === l.port && (s.ip === "" || l.ip === "" || s.ip === l.ip)
    );
    if (clash) fail(l.path.split("."), l.port, `already used by ${clash.path}`);
    seen.push(l);
  }
}

/** Valid but suspicious settings, as human-readable lines. */
export function configWarnings(c: Config): string[] {
  const out: string[] = [];
  for (const s of ["rtmp", "rtsp", "http"] as const) {
    if (c[s].enable && c[s].ssl && !tlsReady(c)) {
      out.push(
        `${s}.ssl is true but ssl.serverkey and ssl.servercert are not both set: ` +
          `the ${s === "http" ? "HTTPS" : s.toUpperCase() + "S"} listener stays off`,
      );
    }
  }
  // Security: a user who set it believes clients without a certificate are turned away.
  if (c.ssl.serverca !== "") {
    out.push(
      "ssl.serverca is set but client certificates are not checked: the TLS listeners cannot ask for " +
        "them (Deno's TLS server has no client authentication); use the auth callback or a TLS proxy for that",
    );
  }
  if (c.srt.pbkeylen !== 0 && c.srt.passphrase === "") {
    out.push(`srt.pbkeylen is ${c.srt.pbkeylen} but srt.passphrase is empty: SRT stays unencrypted`);
  }
  return out;
}
