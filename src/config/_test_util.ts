// Test-only: smart_rtmpd's shipped config.xml, loaded as a user's file would be.
import { type Config, loadConfig } from "./mod.ts";

export function shippedConfig(): Config {
  const text = Deno.readTextFileSync(new URL("./testdata/smart_rtmpd_config.xml.txt", import.meta.url));
  return loadConfig({ text }).config;
}
