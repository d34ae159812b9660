/**
 * Live reload on file change: watches config files (config.xml, policy.xml) and calls back once per
 * burst of changes, with the files whose content really changed.
 *
 * - The folders are watched, not the files: editors and tools that save by writing a temporary file
 *   and renaming it over the original (vim, sed -i, Kubernetes ConfigMaps swapping a symlink) replace
 *   the file's inode, which a watch on the file itself would lose after the first save.
 * - Events are debounced (`debounceMs` after the last one), because one save is several events
 *   (truncate, write, close, rename).
 * - A save that leaves the content identical (touch, `:w` without an edit) is ignored.
 */

export interface FileWatchOptions {
  /** Quiet time after the last event before the files are compared, ms. */
  debounceMs?: number;
  /** Called when watching fails (e.g. the folder was removed); the watch then stops. */
  onError?: (err: Error) => void;
}

export interface FileWatch {
  close(): void;
  /** Resolves when the watch has stopped (after close, or an error). */
  readonly closed: Promise<void>;
}

/** The file's text, or null when it cannot be read (missing, or half-replaced). */
function readOrNull(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

/** The folder of a path, for either separator ("C:\\conf\\config.xml" → "C:\\conf"). */
export function folderOf(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (i < 0) return ".";
  if (i === 0) return path[0];
  // "C:\config.xml" → "C:\" (the drive's root, not the drive's current folder).
  if (i === 2 && /^[A-Za-z]:/.test(path)) return path.slice(0, 3);
  return path.slice(0, i);
}

/**
 * Watches `files` and calls `onChange(changed)` after a burst of events in their folders, with the
 * files whose content differs from what it was at the previous call (or at the start).
 */
export function watchFiles(
  files: readonly string[],
  onChange: (changed: string[]) => void,
  opts: FileWatchOptions = {},
): FileWatch {
  const debounceMs = opts.debounceMs ?? 300;
  const last = new Map<string, string | null>(files.map((f) => [f, readOrNull(f)]));
  const folders = [...new Set(files.map(folderOf))];
  const watcher = Deno.watchFs(folders, { recursive: false });
  let timer: ReturnType<typeof setTimeout> | undefined;

  const compare = () => {
    timer = undefined;
    const changed: string[] = [];
    for (const f of files) {
      const now = readOrNull(f);
      // Gone (removed, or between unlink and create): wait for it to come back.
      if (now === null || now === last.get(f)) continue;
      last.set(f, now);
      changed.push(f);
    }
    if (changed.length > 0) onChange(changed);
  };

  const closed = (async () => {
    try {
      for await (const ev of watcher) {
        if (ev.kind === "access") continue;
        clearTimeout(timer);
        timer = setTimeout(compare, debounceMs);
      }
    } catch (err) {
      opts.onError?.(err as Error);
    } finally {
      clearTimeout(timer);
      timer = undefined;
    }
  })();

  return {
    close() {
      clearTimeout(timer);
      timer = undefined;
      try {
        watcher.close();
      } catch { /* already closed */ }
    },
    closed,
  };
}
