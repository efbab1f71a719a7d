import { sessionBinding, signToken, TokenError, verifyToken, type Keyring } from "../../core/tokens/index.ts";
import { shopperStatus, type PassClaims, type TicketClaims } from "../../core/waiting-room/index.ts";
import { addressBucket, clientAddress } from "../clientAddress.ts";
import { HttpError } from "../HttpError.ts";
import { enforce } from "../rateLimit.ts";
import { sendJson } from "../respond.ts";
import type { RequestContext } from "../router.ts";
import { requireRoom, type StorefrontDeps } from "./deps.ts";
import { bearerToken, requireSession } from "./session.ts";

/** A ticket this store signed, for this sale and this session; anything else is refused. */
export function verifyTicket(token: string | null, keyring: Keyring, saleId: string, session: string, now: number): TicketClaims {
  if (!token) throw new HttpError(401, "ticket_required", "Send the ticket from joining as Authorization: Bearer <ticket>.");
  let claims: TicketClaims;
  try {
    claims = verifyToken<TicketClaims & { [claim: string]: unknown }>(token, keyring, { type: "ticket", now });
  } catch (error) {
    if (error instanceof TokenError) throw new HttpError(401, "ticket_invalid", `${error.message} Join the line again to get a new ticket.`);
    throw error;
  }
  if (claims.s !== saleId) throw new HttpError(403, "ticket_wrong_sale", "This ticket is for another sale.");
  if (claims.sh !== sessionBinding(session)) {
    throw new HttpError(403, "ticket_session_mismatch", "This ticket belongs to another browser session; join from this one.");
  }
  return claims;
}

/**
 * GET /v1/sales/{saleId}/status: the hot path of a drop. Signed ticket + the room view
 * cached in this process: no Redis round trip in the common case.
 */
export async function queueStatus(deps: StorefrontDeps, { req, res, params }: RequestContext): Promise<void> {
  const saleId = params.saleId as string;
  const session = requireSession(req);
  enforce(deps.localLimiter.hit(`status:ip:${addressBucket(clientAddress(req, deps.trustedProxies))}`, deps.rules.statusPerAddress));
  const view = await requireRoom(deps, saleId);
  const keyring = await deps.keyrings.forStore(view.storeId);
  const now = deps.clock.now();
  const ticket = verifyTicket(bearerToken(req), keyring, saleId, session, now);
  const status = shopperStatus(view, ticket, now);
  const body: Record<string, unknown> = {
    state: status.state,
    position: status.position,
    ahead: status.ahead,
    etaSeconds: status.etaSeconds,
    refreshAfter: status.refreshAfter,
    paused: status.paused,
    passRequired: status.passRequired,
  };
  if (status.pass) {
    const claims: PassClaims = {
      typ: "pass",
      s: saleId,
      sh: ticket.sh,
      pos: status.pass.pos,
      b: status.pass.b,
      iat: Math.floor(now / 1_000),
      exp: Math.floor(status.pass.expiresAt / 1_000),
    };
    body.pass = signToken({ ...claims }, keyring);
    body.passExpiresAt = new Date(claims.exp * 1_000).toISOString();
  }
  sendJson(res, 200, body);
}
