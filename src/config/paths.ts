/** Resolves a configured path against the root (--root) unless it is absolute. */
export function resolvePath(root: string, p: string): string {
  return p.startsWith("/") || /^[A-Za-z]:[\\/]/.test(p) ? p : `${root}/${p}`;
}
