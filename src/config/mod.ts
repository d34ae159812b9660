/** Configuration: smart_rtmpd-compatible config.xml and policy.xml, validated by one schema. */
export { type Config, ConfigSchema, defaultConfig, SECTION_NAMES, type SectionName } from "./schema.ts";
export {
  type ConfigSource,
  loadConfig,
  type LoadedConfig,
  type LoadOptions,
  type Overrides,
  parseConfig,
} from "./load.ts";
export { ENV_PREFIX, envName } from "./env.ts";
export { diffConfig } from "./diff.ts";
export { type Offered, offeredBy, type OutputSwitches, outputSwitches } from "./outputs.ts";
export { type Listener, listeners, type ServiceName, tlsEnabled, tlsReady } from "./listeners.ts";
export { splitList } from "./_fields.ts";
export {
  emptyPolicy,
  loadPolicy,
  parsePolicy,
  type Policy,
  policyFileFor,
  type PolicyForward,
  type PolicyPull,
  type PolicyRule,
} from "./policy.ts";
export { resolvePath } from "./paths.ts";
export { type TlsMaterial, tlsMaterial } from "./tls.ts";
export { type ConfigChange, planConfigEdit, saveConfigFile } from "./edit.ts";
export { setXmlValue } from "./xml_edit.ts";
export { leafPaths } from "./_spec.ts";
export { type FileWatch, folderOf, watchFiles } from "./watch.ts";
