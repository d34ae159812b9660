import { ProtocolError } from "../../core/errors.ts";

/** An Opus packet libopus refuses, or an encoder input that breaks its rules. */
export class OpusError extends ProtocolError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
