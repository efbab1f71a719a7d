import type { z } from "zod";

/**
 * Why a platform's payload is not what its topic says, the same words for every platform
 * ("line_items.0.quantity: Expected number, received string"): the dead letter's reason.
 */
export function payloadIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join(".") || "payload"}: ${issue?.message ?? "invalid"}`;
}
