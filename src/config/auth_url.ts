/** The auth callback's base URL from `<authurl>` (host, optional scheme) and its `router`: the one normalisation. */
export function authBaseUrl(host: string, router: string): string {
  const h = host.trim().replace(/\/+$/, "");
  if (h === "") return "";
  const base = /^https?:\/\//i.test(h) ? h : `http://${h}`;
  let r = router.trim().replace(/\/+$/, "");
  if (r !== "" && !r.startsWith("/")) r = `/${r}`;
  return base + r;
}
