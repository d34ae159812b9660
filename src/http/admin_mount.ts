/**
 * The admin API (src/admin) for the HTTP listeners: builds what it reads and acts on from the service
 * context and this service's own answers (/api/status, /api/live), so the admin sees exactly what the
 * public API sees, wrapped in its envelope. admin_feature.ts imports this module on the first admin
 * request.
 */
import type { Hono } from "hono";
import { adminRoutes, type AdminSettings, logFiles, overview } from "../admin/mod.ts";
import denoJson from "../../deno.json" with { type: "json" };

const VERSION = denoJson.version;
import { type Config, planConfigEdit, type Policy, resolvePath, saveConfigFile } from "../config/mod.ts";
import { toStatistics } from "../metrics/mod.ts";
import type { ServiceContext } from "../service.ts";
import { NotFoundError } from "../core/mod.ts";
import { recordingKeys } from "../record/mod.ts";
import { liveAnswer, statusAnswer } from "./api.ts";
import type { HttpDeps } from "./deps.ts";

/** The admin API's router for a context that has a store, a log tail and the running config. */
export function mountAdmin(ctx: ServiceContext, settings: AdminSettings, deps: HttpDeps): Hono {
  const { store, recentLog, config } = ctx;
  if (!store || !recentLog || !config) {
    throw new Error("the admin API needs a store, a log tail and a config");
  }
  return adminRoutes({
    log: ctx.log,
    store,
    settings,
    status: () => statusAnswer(deps),
    streams: (req) => liveAnswer(deps, req),
    kickStream(app, name) {
      const s = ctx.hub.get(`${app}/${name}`);
      if (!s) return false;
      s.end("kicked by an admin");
      return true;
    },
    config: () => redacted(config()),
    reload: ctx.reloadFromDisk,
    configBackup: ctx.configFile ? `${ctx.configFile}.bak` : undefined,
    policy: ctx.policyFile && ctx.policy && ctx.reloadFromDisk
      ? policyEditor(ctx.policyFile, ctx.policy, ctx.reloadFromDisk)
      : undefined,
    editConfig: ctx.configFile && ctx.reloadFromDisk
      ? configEditor(ctx.configFile, ctx.reloadFromDisk, config)
      : undefined,
    statistics: () => toStatistics(ctx.metrics.collect(), ctx.metrics.errors()),
    sessions: ctx.hub.sessions,
    files: {
      vod: resolvePath(ctx.root, "vod"),
      rec: resolvePath(ctx.root, "rec"),
      // rec/<vhost>/<stream>/…: a stream still live in a record app is still being written.
      busy(segs) {
        const onDemand = new Set(recordOf(ctx).list());
        const recording = ctx.hub.streams().filter((s) => ctx.hub.isRecordApp(s.app) || onDemand.has(s.key));
        if (segs.length === 1 && recording.length > 0) return "recordings are being written under it";
        const live = recording.find((s) => s.name === segs[1]);
        return live ? `${live.key} is live and being recorded` : undefined;
      },
    },
    overview: () => overview(ctx.hub, ctx.metrics.collect(), ctx.startedAt, VERSION),
    record: recordOf(ctx),
    cluster: () => ({
      forwards: listOf(ctx, "cluster", "forwards"),
      pulls: listOf(ctx, "pulls", "pulls"),
      edges: listOf(ctx, "edge", "pulls"),
    }),
    logs: logFiles(recentLog, resolvePath(ctx.root, config().log.dir)),
    startedAt: ctx.startedAt,
    version: VERSION,
  }) as unknown as Hono;
}

/** The recorder's on-demand recording, through its service commands (looked up at each call: a reload may restart it). */
function recordOf(ctx: ServiceContext) {
  const command = (name: "start" | "stop", key: string) => {
    const run = ctx.service("recorder")?.commands?.[name];
    if (!run) throw new NotFoundError("recording is not available: the recorder is not running");
    return run({ key });
  };
  return {
    list: () => recordingKeys(ctx),
    start: (key: string) => command("start", key),
    stop: (key: string) => command("stop", key),
  };
}

/** A list in a running service's stats (empty when the service is off). */
function listOf(ctx: ServiceContext, service: string, field: string): unknown[] {
  const st = ctx.service(service)?.stats() as Record<string, unknown> | undefined;
  const list = st?.[field];
  return Array.isArray(list) ? list : [];
}

/** Secrets the admin's config view never shows: a set one reads "********". */
const SECRETS: [string, string][] = [["admin", "password"], ["srt", "passphrase"]];

export function redacted(config: object): unknown {
  const copy = structuredClone(config) as Record<string, Record<string, unknown>>;
  for (const [section, key] of SECRETS) {
    if (copy[section] && copy[section][key]) copy[section][key] = "********";
  }
  return copy;
}

/** Plans against the file on disk and the running config; saving writes the file, then reloads it in place. */
function configEditor(file: string, reload: () => Promise<string[]>, running: () => Config) {
  return async (changes: Record<string, unknown>, apply: boolean) => {
    const text = await Deno.readTextFile(file);
    const plan = planConfigEdit(text, changes, running(), Deno.env.toObject());
    if (!apply) return { diff: plan.diff };
    await saveConfigFile(file, plan.text);
    const changed = await reload();
    return { diff: plan.diff, changed };
  };
}

function policyEditor(file: string, current: () => Policy, reload: () => Promise<string[]>) {
  return {
    file,
    read: () => Deno.readTextFile(file).catch(() => ""),
    current,
    async save(text: string) {
      await saveConfigFile(file, text);
      return await reload();
    },
  };
}
