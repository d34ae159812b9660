/** Recording of record-app streams to rec/<vhost>/<stream>/<day>/<time>.m3u8|.mpd, and its index. */
export {
  createRecorder,
  type Recorder,
  type RecorderOptions,
  type RecorderStats,
  RECORDING_OUTPUT,
} from "./recorder.ts";
export { recorderService, type RecorderSettings, recorderSettings, recordingKeys } from "./service.ts";
export { RecordingSession, type SessionOptions, type SessionStats } from "./session.ts";
export { repairRecordings } from "./repair.ts";
export { findRecorded, listDays, listFiles, listStreams } from "./index.ts";
export { DAY, dayAndTime, DEFAULT_VHOST, isSafeSegment, TIME, vhostFolder } from "./paths.ts";
