import { ProtocolError } from "../../core/errors.ts";

/** A malformed or unsupported AAC access unit; the message names the field and the rule. */
export class AacError extends ProtocolError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
