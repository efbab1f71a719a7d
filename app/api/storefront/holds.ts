import { z } from "zod";

import { InvalidInputError } from "../../core/errors/InvalidInputError.ts";
import { LIMITS, type ReserveResult } from "../../core/inventory/index.ts";
import { ID_PATTERN } from "../../core/keys.ts";
import { secondsUntil } from "../../core/rate-limit/index.ts";
import { sessionBinding, signToken, TokenError, verifyToken, type Keyring } from "../../core/tokens/index.ts";
import type { PassClaims, RoomView } from "../../core/waiting-room/index.ts";
import { readJson, validateBody } from "../body.ts";
import { cameThroughProxy, verifiedCustomerOf } from "../proxy/identity.ts";
import { clientBucket } from "../clientAddress.ts";
import { HttpError } from "../HttpError.ts";
import { rateLimited } from "../rateLimit.ts";
import { sendJson } from "../respond.ts";
import type { RequestContext } from "../router.ts";
import { peekRoom, requireRoom, type StorefrontDeps } from "./deps.ts";
import { verifyHoldToken, type HoldClaims } from "./holdTokens.ts";
import { bearerToken, requireSession } from "./session.ts";

export const holdRequest = z.strictObject({
  lines: z
    .array(
      z.strictObject({
        itemId: z.string().regex(ID_PATTERN, "must be an item id from the sale"),
        quantity: z.number().int().min(1).max(LIMITS.maxLineQuantity),
      }),
    )
    .min(1)
    .max(LIMITS.maxLines),
  requestId: z
    .string()
    .min(8)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces"),
  pass: z.string().max(2_048).optional(),
});

type HoldRequest = z.infer<typeof holdRequest>;

const REQUEST_ID = /^[\x21-\x7e]{8,128}$/;

/**
 * holdRequest checked by hand, for the bodies shoppers send: in bench:storefront's CPU profile
 * of the holds row, zod's own frames were about 5% of the route's time. It accepts a subset of
 * what holdRequest accepts and answers the same value; anything else (null) goes through
 * holdRequest, which names every refused field in the 400.
 */
export function plainHoldRequest(value: unknown): HoldRequest | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const body = value as Record<string, unknown>;
  for (const key of Object.keys(body)) if (key !== "lines" && key !== "requestId" && key !== "pass") return null;
  const { lines, requestId, pass } = body;
  if (typeof requestId !== "string" || !REQUEST_ID.test(requestId)) return null;
  if (Object.hasOwn(body, "pass") && (typeof pass !== "string" || pass.length > 2_048)) return null;
  if (!Array.isArray(lines) || lines.length < 1 || lines.length > LIMITS.maxLines) return null;
  const checked: HoldRequest["lines"] = [];
  for (const line of lines as unknown[]) {
    if (typeof line !== "object" || line === null || Array.isArray(line) || Object.keys(line).length !== 2) return null;
    if (!Object.hasOwn(line, "itemId") || !Object.hasOwn(line, "quantity")) return null;
    const { itemId, quantity } = line as Record<string, unknown>;
    if (typeof itemId !== "string" || !ID_PATTERN.test(itemId)) return null;
    if (typeof quantity !== "number" || !Number.isInteger(quantity) || quantity < 1 || quantity > LIMITS.maxLineQuantity) return null;
    checked.push({ itemId, quantity });
  }
  return typeof pass === "string" ? { lines: checked, requestId, pass } : { lines: checked, requestId };
}

function verifyPass(token: string | undefined, keyring: Keyring, saleId: string, binding: string, now: number): PassClaims {
  if (!token) throw new HttpError(403, "pass_required", "This sale has a waiting room: wait for your turn, then send the pass with the hold.");
  let claims: PassClaims;
  try {
    claims = verifyToken<PassClaims & { [claim: string]: unknown }>(token, keyring, { type: "pass", now });
  } catch (error) {
    if (error instanceof TokenError) {
      const reason = error.code === "token_expired" ? "Your turn has passed; join the line again." : `${error.message} Ask the status endpoint for a new pass.`;
      throw new HttpError(403, "pass_invalid", reason);
    }
    throw error;
  }
  if (claims.s !== saleId || claims.sh !== binding) {
    throw new HttpError(403, "pass_invalid", "This pass was issued for another sale or another browser session.");
  }
  return claims;
}

function refusal(result: Exclude<ReserveResult, { outcome: "reserved" }>): HttpError {
  switch (result.outcome) {
    case "sold_out":
      return new HttpError(409, "sold_out", `Item ${result.itemId} has only ${result.available} left; change the quantity or pick another item.`);
    case "limit_exceeded":
      return new HttpError(422, "limit_exceeded", `This sale allows ${result.limit} per customer and you already have ${result.alreadyCounted}.`);
    case "address_limit_exceeded":
      return new HttpError(
        422,
        "address_limit_exceeded",
        `This sale allows ${result.limit} units per network address, and ${result.alreadyCounted} are already held or bought from yours.`,
      );
    case "not_found":
      return result.itemId
        ? new HttpError(404, "item_not_found", `Item ${result.itemId} is not part of this sale.`)
        : new HttpError(404, "sale_not_found", "This sale has no stock set up yet.");
    case "duplicate":
      return new HttpError(409, "request_already_used", "This requestId already made a hold that has ended; send a new requestId.");
    case "rate_limited":
      return rateLimited(secondsUntil(result.retryAfterMs));
  }
}

function assertOpenForHolds(view: RoomView): void {
  if (view.state === "ended") throw new HttpError(409, "sale_ended", "This sale has ended.");
  if (view.state !== "live" && view.state !== "paused") throw new HttpError(409, "sale_not_open", "Holds open when the sale starts.");
}

/** POST /v1/sales/{saleId}/holds: spend the admission pass (if the room needs one) on a hold. */
export async function placeHold(deps: StorefrontDeps, { req, res, params }: RequestContext): Promise<void> {
  const saleId = params.saleId as string;
  const session = requireSession(req);
  const json = await readJson(req);
  const body = plainHoldRequest(json) ?? validateBody(json, holdRequest);
  // As the join does: a young view and cached keys answer without a turn of the event loop.
  const view = peekRoom(deps, saleId) ?? (await requireRoom(deps, saleId));
  assertOpenForHolds(view);
  if (view.holdsThroughStoreOnly && !cameThroughProxy(req)) {
    throw new HttpError(
      403,
      "holds_through_store_only",
      "This sale takes holds only through its Shopify store (the app proxy, where the customer is verified): add to cart on the store's pages, or, as the integrator, send the hold through the store's app proxy.",
    );
  }
  const keyringOrLoading = deps.keyrings.forStore(view.storeId);
  const keyring = keyringOrLoading instanceof Promise ? await keyringOrLoading : keyringOrLoading;
  const now = deps.clock.now();
  const binding = sessionBinding(session);

  // Only the request that spent the pass just now may give it back. A replay of that request
  // answers with what the first attempt made of the pass and never touches it: once a pass has
  // bought a hold it stays spent, whatever becomes of the hold (issue #12).
  let returnablePass: PassClaims | null = null;
  if (view.mode !== "off") {
    const passToken = (req.headers["x-holdfast-pass"] as string | undefined) ?? body.pass;
    const pass = verifyPass(passToken, keyring, saleId, binding, now);
    const spent = await deps.room.spendPass(saleId, pass, body.requestId);
    if (spent === "used") throw new HttpError(403, "pass_used", "This pass was already used for a hold; one pass buys one hold.");
    if (spent === "spent") returnablePass = pass;
  }

  let result: ReserveResult;
  try {
    // A customer the app proxy verified counts across browsers; anyone else is their session.
    const customerId = verifiedCustomerOf(req) ?? `session:${binding}`;
    result = await deps.holds.reserve(saleId, {
      lines: body.lines,
      customerId,
      requestId: body.requestId,
      ttlMs: view.holdMs,
      // The per-session hold limit is counted by the reserve itself: one round trip per hold.
      rateLimit: { requester: binding, limit: deps.rules.holdPerSession.limit, windowMs: deps.rules.holdPerSession.windowMs },
      // Sessions are free to make: the address (believed from X-Forwarded-For only behind a
      // trusted proxy; IPv6 per /64) caps what one place can hold, whatever its sessions.
      address: { bucket: clientBucket(req, deps.trustedProxies), limit: deps.rules.holdUnitsPerAddress },
    });
  } catch (error) {
    // Refused input never reached Redis. Any other failure (a timeout) may have made the hold,
    // so the pass stays spent: a retry with the same requestId gets that hold or makes it.
    if (returnablePass && error instanceof InvalidInputError) await deps.room.returnPass(saleId, returnablePass, body.requestId);
    throw error;
  }
  if (result.outcome !== "reserved") {
    // A pass only counts once it bought a hold, so the shopper can try another cart.
    if (returnablePass) await deps.room.returnPass(saleId, returnablePass, body.requestId);
    throw refusal(result);
  }
  const claims: HoldClaims = {
    typ: "hold",
    s: saleId,
    h: result.holdId,
    sh: binding,
    iat: Math.floor(now / 1_000),
    exp: Math.ceil(result.expiresAt / 1_000),
    ln: body.lines.map((line) => ({ i: line.itemId, q: line.quantity })),
  };
  sendJson(res, 201, {
    holdId: result.holdId,
    token: signToken({ ...claims }, keyring),
    expiresAt: new Date(result.expiresAt).toISOString(),
    lines: body.lines,
    replayed: result.replayed,
  });
}

/** DELETE /v1/holds/{holdId} with the hold token: gives the units back at once. */
export async function releaseHold(deps: StorefrontDeps, { req, res, params }: RequestContext): Promise<void> {
  const holdId = params.holdId as string;
  const token = bearerToken(req);
  if (!token) throw new HttpError(401, "hold_token_required", "Send the hold token as Authorization: Bearer <token>.");
  const { claims } = await verifyHoldToken(deps, token);
  if (claims.h !== holdId) throw new HttpError(403, "hold_token_mismatch", "This token is for another hold.");
  await deps.holds.release(claims.s, holdId);
  res.writeHead(204).end();
}
