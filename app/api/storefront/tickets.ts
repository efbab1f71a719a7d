import { secondsUntil } from "../../core/rate-limit/index.ts";
import { sessionBinding, signToken } from "../../core/tokens/index.ts";
import { shopperStatus, type RoomView, type TicketClaims } from "../../core/waiting-room/index.ts";
import { clientBucket } from "../clientAddress.ts";
import { HttpError } from "../HttpError.ts";
import { rateLimited } from "../rateLimit.ts";
import { sendJson } from "../respond.ts";
import type { RequestContext } from "../router.ts";
import { peekRoom, requireRoom, type StorefrontDeps } from "./deps.ts";
import { sessionForJoin } from "./session.ts";

/**
 * POST /v1/sales/{saleId}/tickets: a place in line. One Redis call counts the join limits
 * (per address and per session) and takes the place; after the start the place is one
 * counter increment, and the place itself travels in the signed ticket, bound to the
 * shopper's session.
 */
export async function joinQueue(deps: StorefrontDeps, { req, res, params }: RequestContext): Promise<void> {
  const saleId = params.saleId as string;
  const session = sessionForJoin(req, res);
  const view = peekRoom(deps, saleId) ?? (await requireRoom(deps, saleId));
  if (view.state === "ended") throw new HttpError(409, "sale_ended", "This sale has ended.");
  const binding = sessionBinding(session);
  const joined = await deps.room.join(saleId, binding, {
    address: clientBucket(req, deps.trustedProxies),
    perAddress: deps.rules.joinPerAddress,
    perSession: deps.rules.joinPerSession,
  });
  if (joined.outcome === "limited") throw rateLimited(secondsUntil(joined.retryAfterMs));
  if (joined.outcome === "closed") {
    if (joined.state === "ended") throw new HttpError(409, "sale_ended", "This sale has ended.");
    throw notOpen(view);
  }

  const now = deps.clock.now();
  // Inferred, not declared TicketClaims: an object type signs as is, an interface would need a copy.
  const claims = {
    typ: "ticket",
    s: saleId,
    sh: binding,
    k: joined.outcome === "prequeue" ? "p" : "q",
    n: joined.number,
    iat: Math.floor(now / 1_000),
  } satisfies TicketClaims;
  const keyringOrLoading = deps.keyrings.forStore(view.storeId);
  // The keys are cached in memory: no extra turn of the event loop when they are at hand.
  const keyring = keyringOrLoading instanceof Promise ? await keyringOrLoading : keyringOrLoading;
  const status = shopperStatus(view, claims, now);
  sendJson(res, 201, {
    ticket: signToken(claims, keyring),
    session,
    state: status.state,
    position: status.position,
    ahead: status.ahead,
    etaSeconds: status.etaSeconds,
    refreshAfter: status.refreshAfter,
  });
}

function notOpen(view: RoomView): HttpError {
  const opens = view.prequeueAt ?? view.startsAt;
  return new HttpError(409, "sale_not_open", opens ? `The line opens at ${new Date(opens).toISOString()}.` : "The line is not open yet.");
}
