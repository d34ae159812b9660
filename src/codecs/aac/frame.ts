/** Samples per channel of one AAC-LC frame (960-sample frames are not supported). */
export const AAC_FRAME_SAMPLES = 1024;
