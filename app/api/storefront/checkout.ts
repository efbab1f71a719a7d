import { z } from "zod";

import { orderIdForHold, type OpenResult } from "../../core/checkout/index.ts";
import { MAX_TOKEN_LENGTH, signToken } from "../../core/tokens/index.ts";
import { readBody } from "../body.ts";
import { HttpError } from "../HttpError.ts";
import { sendJson } from "../respond.ts";
import type { RequestContext } from "../router.ts";
import { ORDER_TOKEN_DAYS, type CheckoutDeps, type OrderClaims } from "./checkoutDeps.ts";
import { verifyHoldToken } from "./holdTokens.ts";

/** A checkout body is a token, a gateway payload and a few customer fields: 8 KiB is plenty. */
export const CHECKOUT_BODY_LIMIT_BYTES = 8 * 1024;

const checkoutRequest = z.strictObject({
  holdToken: z.string().min(1).max(MAX_TOKEN_LENGTH),
  payment: z.record(z.string(), z.unknown()),
  customer: z
    .strictObject({
      email: z.email().max(254).optional(),
      // Stored in SQL with the order: no control characters, no unpaired surrogates (no UTF-8 form).
      name: z
        .string()
        .trim()
        .min(1)
        .max(200)
        .refine((name) => !/[\p{Cc}\p{Cs}]/u.test(name), "must be plain text")
        .optional(),
    })
    .optional(),
});

/**
 * POST /v1/checkout {holdToken, payment, customer?}: turns a live hold into a queued order.
 * The hot path is two Redis calls (open the checkout record next to the hold, atomically;
 * add the job) and no SQL, platform or payment call. The order id is derived from the hold,
 * so the same hold twice answers the same order (200 instead of 202).
 */
export async function checkout(deps: CheckoutDeps, { req, res }: RequestContext): Promise<void> {
  const body = await readBody(req, checkoutRequest, CHECKOUT_BODY_LIMIT_BYTES);
  const problem = deps.payments.checkPayload(body.payment);
  if (problem !== null) throw new HttpError(400, "invalid_payment", problem);
  // A retry after the hold token's expiry finds the order it opened (the checkout extended
  // the hold, not the token); an expired token opens nothing new.
  const { claims, view, expired } = await verifyHoldToken(deps, body.holdToken, { acceptExpired: true });

  const opened = expired
    ? await existingCheckout(deps, claims.s, claims.h)
    : await deps.checkouts.open({
        saleId: claims.s,
        holdId: claims.h,
        storeId: view.storeId,
        payment: body.payment,
        customer: body.customer ?? null,
      });
  if (opened.outcome === "hold_gone" || opened.outcome === "hold_expired") {
    throw opened.outcome === "hold_expired"
      ? new HttpError(409, "hold_expired", "This hold has expired; place a new hold.")
      : new HttpError(409, "hold_not_active", "This hold was released, expired or already used; place a new hold.");
  }
  // Also on a repeat: a crash between the record and the job must not strand the order (the job id dedups).
  await deps.queue.enqueue({ saleId: claims.s, orderId: opened.orderId });

  const now = Math.floor(deps.clock.now() / 1_000);
  const orderClaims: OrderClaims = { typ: "order", s: claims.s, st: view.storeId, o: opened.orderId, iat: now, exp: now + ORDER_TOKEN_DAYS * 86_400 };
  const keyring = await deps.keyrings.forStore(view.storeId);
  sendJson(res, opened.outcome === "opened" ? 202 : 200, {
    orderId: opened.orderId,
    status: opened.outcome === "opened" ? "queued" : opened.status,
    orderToken: signToken({ ...orderClaims }, keyring),
    replayed: opened.outcome !== "opened",
  });
}

async function existingCheckout(deps: CheckoutDeps, saleId: string, holdId: string): Promise<OpenResult> {
  const order = await deps.checkouts.get(saleId, orderIdForHold(holdId));
  if (!order) throw new HttpError(401, "hold_token_invalid", "The hold token has expired.");
  return { outcome: "existing", orderId: order.orderId, status: order.status };
}
