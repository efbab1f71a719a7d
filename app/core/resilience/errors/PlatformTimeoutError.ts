import { PlatformError } from "../../platform/PlatformError.ts";

export const TIMEOUT = "timeout";

/** The platform did not answer within the policy's timeout; the request was aborted. */
export class PlatformTimeoutError extends PlatformError {
  constructor(readonly timeoutMs: number) {
    super("unavailable", `platform call timed out after ${timeoutMs} ms`, { code: TIMEOUT });
  }
}
