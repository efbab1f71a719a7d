import { sessionBinding, signToken } from "../../core/tokens/index.ts";
import { shopperStatus, type TicketClaims } from "../../core/waiting-room/index.ts";
import { clientBucket } from "../clientAddress.ts";
import { HttpError } from "../HttpError.ts";
import { enforce } from "../rateLimit.ts";
import { sendJson } from "../respond.ts";
import type { RequestContext } from "../router.ts";
import { requireRoom, type StorefrontDeps } from "./deps.ts";
import { sessionForJoin } from "./session.ts";

/**
 * POST /v1/sales/{saleId}/tickets: a place in line. After the start this is one counter
 * increment; the place itself travels in the signed ticket, bound to the shopper's session.
 */
export async function joinQueue(deps: StorefrontDeps, { req, res, params }: RequestContext): Promise<void> {
  const saleId = params.saleId as string;
  const session = sessionForJoin(req, res);
  const address = clientBucket(req, deps.trustedProxies);
  const [byAddress, bySession] = await Promise.all([
    deps.limiter.hit(`join:ip:${address}`, deps.rules.joinPerAddress),
    deps.limiter.hit(`join:session:${session}`, deps.rules.joinPerSession),
  ]);
  enforce(byAddress);
  enforce(bySession);

  const view = await requireRoom(deps, saleId);
  if (view.state === "ended") throw new HttpError(409, "sale_ended", "This sale has ended.");
  const binding = sessionBinding(session);
  let kind: TicketClaims["k"];
  let number: number;
  if (view.state === "live" || view.state === "paused") {
    kind = "q";
    number = await deps.room.takeNumber(saleId);
  } else {
    const joined = await deps.room.join(saleId, binding);
    if (joined.outcome === "closed") {
      if (joined.state === "ended") throw new HttpError(409, "sale_ended", "This sale has ended.");
      const opens = view.prequeueAt ?? view.startsAt;
      throw new HttpError(409, "sale_not_open", opens ? `The line opens at ${new Date(opens).toISOString()}.` : "The line is not open yet.");
    }
    kind = joined.outcome === "prequeue" ? "p" : "q";
    number = joined.number;
  }

  const now = deps.clock.now();
  const claims: TicketClaims = { typ: "ticket", s: saleId, sh: binding, k: kind, n: number, iat: Math.floor(now / 1_000) };
  const keyring = await deps.keyrings.forStore(view.storeId);
  const status = shopperStatus(view, claims, now);
  sendJson(res, 201, {
    ticket: signToken({ ...claims }, keyring),
    session,
    state: status.state,
    position: status.position,
    ahead: status.ahead,
    etaSeconds: status.etaSeconds,
    refreshAfter: status.refreshAfter,
  });
}
