import type { IncomingMessage, ServerResponse } from "node:http";

import { sessionBinding, signToken, TokenError, type Keyring, type VerifiedTokenCache } from "../../core/tokens/index.ts";
import { shopperStatus, type PassClaims, type ShopperStatus, type TicketClaims } from "../../core/waiting-room/index.ts";
import { clientBucket } from "../clientAddress.ts";
import { HttpError } from "../HttpError.ts";
import { enforce } from "../rateLimit.ts";
import { sendJsonText } from "../respond.ts";
import type { RequestContext } from "../router.ts";
import { peekRoom, requireRoom, type StorefrontDeps } from "./deps.ts";
import { bearerToken, requireSession } from "./session.ts";

/** A ticket this store signed, for this sale and this session; anything else is refused. */
export function verifyTicket(
  tickets: VerifiedTokenCache<TicketClaims>,
  token: string | null,
  keyring: Keyring,
  saleId: string,
  session: string,
  now: number,
): TicketClaims {
  if (!token) throw new HttpError(401, "ticket_required", "Send the ticket from joining as Authorization: Bearer <ticket>.");
  let verified;
  try {
    verified = tickets.verify(token, keyring, now);
  } catch (error) {
    if (error instanceof TokenError) throw new HttpError(401, "ticket_invalid", `${error.message} Join the line again to get a new ticket.`);
    throw error;
  }
  const claims = verified.claims;
  if (claims.s !== saleId) throw new HttpError(403, "ticket_wrong_sale", "This ticket is for another sale.");
  if (verified.boundSession !== session) {
    if (claims.sh !== sessionBinding(session)) {
      throw new HttpError(403, "ticket_session_mismatch", "This ticket belongs to another browser session; join from this one.");
    }
    verified.boundSession = session;
  }
  return claims;
}

/**
 * GET /v1/sales/{saleId}/status: the hot path of a drop. Signed ticket + the room view
 * cached in this process: no Redis round trip in the common case, and no promise either
 * when the view and the store's keys are already in memory.
 */
export function queueStatus(deps: StorefrontDeps, { req, res, params }: RequestContext): void | Promise<void> {
  const saleId = params.saleId as string;
  const session = requireSession(req);
  enforce(deps.localLimiter.hit(`status:ip:${clientBucket(req, deps.trustedProxies)}`, deps.rules.statusPerAddress));
  const view = peekRoom(deps, saleId);
  if (view === undefined) return answerAfterLoading(deps, req, res, saleId, session);
  const keyring = deps.keyrings.forStore(view.storeId);
  if (keyring instanceof Promise) return keyring.then((loaded) => answer(deps, req, res, saleId, session, view, loaded));
  answer(deps, req, res, saleId, session, view, keyring);
}

async function answerAfterLoading(deps: StorefrontDeps, req: IncomingMessage, res: ServerResponse, saleId: string, session: string): Promise<void> {
  const view = await requireRoom(deps, saleId);
  answer(deps, req, res, saleId, session, view, await deps.keyrings.forStore(view.storeId));
}

function answer(
  deps: StorefrontDeps,
  req: IncomingMessage,
  res: ServerResponse,
  saleId: string,
  session: string,
  view: Parameters<typeof shopperStatus>[0],
  keyring: Keyring,
): void {
  const now = deps.clock.now();
  const ticket = verifyTicket(deps.tickets, bearerToken(req), keyring, saleId, session, now);
  const status = shopperStatus(view, ticket, now);
  let pass = "";
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
    // Both values are JSON-safe as they are: base64url text and an ISO timestamp.
    pass = `,"pass":"${signToken({ ...claims }, keyring)}","passExpiresAt":"${new Date(claims.exp * 1_000).toISOString()}"`;
  }
  sendJsonText(res, 200, `${statusFields(status)}${pass}}`);
}

/**
 * The answer's fields as JSON text without the closing brace. Every value is a number, null,
 * a boolean or a state name from a fixed set, so writing the text directly is safe, and it
 * spares the busiest endpoint an object and a JSON.stringify per poll.
 */
function statusFields(status: ShopperStatus): string {
  return (
    `{"state":"${status.state}","position":${status.position},"ahead":${status.ahead},"etaSeconds":${status.etaSeconds},` +
    `"refreshAfter":${status.refreshAfter},"paused":${status.paused},"passRequired":${status.passRequired}`
  );
}
