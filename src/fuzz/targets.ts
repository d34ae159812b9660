/** Every fuzz target, in the order of the reports. */
import { CODEC_TARGETS } from "./targets_codecs.ts";
import { FORMAT_TARGETS } from "./targets_formats.ts";
import { HTTP_TARGETS } from "./targets_http.ts";
import { WIRE_TARGETS } from "./targets_wire.ts";
import type { FuzzTarget } from "./target.ts";

export const TARGETS: readonly FuzzTarget[] = [
  ...FORMAT_TARGETS,
  ...CODEC_TARGETS,
  ...WIRE_TARGETS,
  ...HTTP_TARGETS,
];
