export type { AmfObject, AmfValue } from "./types.ts";
export { ecmaArray, isEcmaArray } from "./types.ts";
export { Amf0, decodeAmf0, decodeAmf0All, encodeAmf0 } from "./amf0.ts";
export { Amf3, decodeAmf3, encodeAmf3 } from "./amf3.ts";
export {
  metaDataOf,
  onMetaDataBody,
  parseScriptData,
  type ScriptData,
  setDataFrameBody,
} from "./script_data.ts";
