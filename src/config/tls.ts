/** The TLS material a listener is built from, read once when settings are computed. */
import { ConfigError } from "../core/errors.ts";
import type { Config } from "./sections.ts";
import { tlsEnabled } from "./listeners.ts";
import { resolvePath } from "./paths.ts";

export interface TlsMaterial {
  cert: string;
  key: string;
  port: number;
}

/** Reads the configured certificate and key for `section`'s TLS listener, or undefined when it is off. */
export function tlsMaterial(
  c: Config,
  root: string,
  section: "rtmp" | "rtsp" | "http",
): TlsMaterial | undefined {
  if (!tlsEnabled(c, section)) return undefined;
  const read = (element: string, p: string) => {
    const file = resolvePath(root, p);
    try {
      return Deno.readTextFileSync(file);
    } catch (err) {
      throw new ConfigError(`<ssl><${element}> "${file}" cannot be read: ${(err as Error).message}`, {
        cause: err,
      });
    }
  };
  return {
    cert: read("servercert", c.ssl.servercert),
    key: read("serverkey", c.ssl.serverkey),
    port: c[section].sport,
  };
}
