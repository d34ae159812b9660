/**
 * Resolves a configured path against the root (--root) unless it is absolute: "/var/rec", "C:\rec",
 * "C:/rec" and UNC shares ("\\server\share\rec") are kept as they are. Joining uses "/", which
 * Windows accepts beside "\" ("C:\Estuary/rec"); a root's trailing separator is not doubled.
 */
export function resolvePath(root: string, p: string): string {
  if (isAbsolutePath(p)) return p;
  const base = root.replace(/[\\/]+$/, "");
  return base === "" ? `${root.slice(0, 1)}${p}` : `${base}/${p}`;
}

/** Absolute on POSIX ("/…") or Windows ("C:\…", "C:/…", "\\server\share\…", "\…" on the current drive). */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith("/") || p.startsWith("\\") || /^[A-Za-z]:[\\/]/.test(p);
}
