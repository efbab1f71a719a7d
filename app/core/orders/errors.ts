/**
 * An order event that no retry can fix (malformed, unknown sale, item not in the sale): the
 * worker sends it to the dead-letter queue at once, with `code` and the message as reason.
 */
export class PermanentOrderError extends Error {
  override readonly name = "PermanentOrderError";

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Another job is working on the same order right now; retrying later is the answer. */
export class OrderBusyError extends Error {
  override readonly name = "OrderBusyError";
}
