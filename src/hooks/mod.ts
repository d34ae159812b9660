/** Hooks: server events (publish, unpublish, a recording closed) POSTed as JSON to the operator's URL. */
export { type HookCounts, type HookEvent, HookSender, type HookSenderOptions, shown } from "./sender.ts";
export { hookFamilies, hooksService, type HooksSettings, hooksSettings } from "./service.ts";
