/**
 * One reload path for every trigger (a config file saved, SIGHUP): reloads run one at a time, and a
 * refused reload (an invalid file, an unreadable certificate) is one log line naming the element,
 * the value and the rule, while the running config stays.
 */
import type { Logger } from "../log/mod.ts";
import { type FileWatch, folderOf, watchFiles } from "../config/watch.ts";

/** Wraps `apply` so that calls never overlap and never throw. Resolves true when it was applied. */
export function reloader(apply: () => Promise<void>, log: Logger): (trigger: string) => Promise<boolean> {
  let chain: Promise<unknown> = Promise.resolve();
  return (trigger: string) => {
    const run = chain.then(async () => {
      try {
        await apply();
        return true;
      } catch (err) {
        log.error("config reload refused; keeping the running config", { trigger, error: err });
        return false;
      }
    });
    chain = run;
    return run;
  };
}

/** The files a running server watches: its config file and, when there is one, policy.xml beside it. */
export function watchedFiles(configFile: string, exists: (path: string) => boolean): string[] {
  const folder = folderOf(configFile);
  const sep = configFile.includes("\\") && !configFile.includes("/") ? "\\" : "/";
  const policy = folder.endsWith(sep) ? `${folder}policy.xml` : `${folder}${sep}policy.xml`;
  return exists(policy) && policy !== configFile ? [configFile, policy] : [configFile];
}

/**
 * Calls `reload` when one of `files` changes. A watch that cannot start (no inotify watches left, a
 * folder gone) or that stops later is one warning: the server runs on, and SIGHUP still reloads.
 */
export function reloadOnChange(
  files: string[],
  reload: (trigger: string) => unknown,
  log: Logger,
  debounceMs?: number,
): FileWatch {
  try {
    const watch = watchFiles(files, (changed) => void reload(`file changed: ${changed.join(", ")}`), {
      debounceMs,
      onError: (err) => log.warn("config file watch stopped", { files: files.join(","), error: err }),
    });
    log.info("watching config files", { files: files.join(",") });
    return watch;
  } catch (err) {
    log.warn("config files are not watched: save-to-reload is off", { files: files.join(","), error: err });
    return { close() {}, closed: Promise.resolve() };
  }
}
