import { holdIdOfOrder, orderIdForHold, type CheckoutOrder } from "../../core/checkout/index.ts";
import { unverifiedClaims } from "../../core/tokens/index.ts";
import { HttpError } from "../HttpError.ts";
import { sendJson } from "../respond.ts";
import type { RequestContext } from "../router.ts";
import type { CheckoutDeps, OrderClaims } from "./checkoutDeps.ts";
import { verifyHoldToken, verifyTyped } from "./holdTokens.ts";
import { bearerToken } from "./session.ts";

type PublicStatus = "queued" | "processing" | "placed" | "failed";

/**
 * GET /v1/orders/{orderId} with `Authorization: Bearer <order token or hold token>`: the
 * order's progress from Redis, or from SQL once the Redis record has expired.
 */
export async function orderStatus(deps: CheckoutDeps, { req, res, params }: RequestContext): Promise<void> {
  const orderId = params.orderId as string;
  if (holdIdOfOrder(orderId) === null) throw new HttpError(404, "order_not_found", "There is no such order.");
  const token = bearerToken(req);
  if (!token) throw new HttpError(401, "order_token_required", "Send the order token from checkout as Authorization: Bearer <token>.");
  const saleId = await saleOfToken(deps, token, orderId);

  const order = await deps.checkouts.get(saleId, orderId);
  if (order !== null) return sendJson(res, 200, present(order));
  const row = await deps.orders.find(orderId);
  if (row === null || row.saleId !== saleId) throw new HttpError(404, "order_not_found", "There is no such order.");
  const status = publicStatus(row.status);
  sendJson(res, 200, {
    orderId,
    status,
    ...(status === "placed" && row.platformOrderRef !== orderId ? { platformOrderRef: row.platformOrderRef } : {}),
    ...(status === "failed" ? { error: { code: "checkout_failed", message: "The order could not be placed; you have not been charged." } } : {}),
  });
}

/** The sale the token grants this order in; 401/403 for anything else. */
async function saleOfToken(deps: CheckoutDeps, token: string, orderId: string): Promise<string> {
  const typ = unverifiedClaims(token)?.typ;
  if (typ === "hold") {
    const { claims } = await verifyHoldToken(deps, token);
    if (orderIdForHold(claims.h) !== orderId) throw new HttpError(403, "order_token_mismatch", "This token is for another order.");
    return claims.s;
  }
  const unverified = unverifiedClaims(token);
  const storeId = unverified?.st;
  if (typ !== "order" || (storeId !== null && typeof storeId !== "string")) throw new HttpError(401, "order_token_invalid", "The order token is malformed.");
  const keyring = await deps.keyrings.forStore(storeId);
  const claims = verifyTyped<OrderClaims>(token, keyring, "order", deps.clock.now(), "order_token_invalid");
  if (claims.o !== orderId) throw new HttpError(403, "order_token_mismatch", "This token is for another order.");
  return claims.s;
}

function present(order: CheckoutOrder): Record<string, unknown> {
  return {
    orderId: order.orderId,
    status: order.status,
    ...(order.platformOrderRef && order.status === "placed" && order.platformOrderRef !== order.orderId ? { platformOrderRef: order.platformOrderRef } : {}),
    ...(order.paymentUrl && order.status === "placed" ? { paymentUrl: order.paymentUrl } : {}),
    ...(order.error ? { error: order.error } : {}),
  };
}

function publicStatus(status: string): PublicStatus {
  if (status === "queued" || status === "processing" || status === "failed") return status;
  // placed, and whatever the order processor recorded later (committed, cancelled_after_sale).
  return "placed";
}
