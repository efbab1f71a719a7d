import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

import { z } from "zod";

import { signToken, TokenError, verifyToken, type TokenClaims } from "../../core/tokens/index.ts";
import { InvalidInputError } from "../../core/errors/InvalidInputError.ts";
import { bearerGuard } from "../admin/auth.ts";
import { parseJson, readRaw } from "../body.ts";
import { HttpError } from "../HttpError.ts";
import { sendJson } from "../respond.ts";
import type { RequestContext, Route } from "../router.ts";
import type { ConnectorDeps } from "./deps.ts";
import { checkRequestSignature, SIGNATURE_HEADER, STORE_HEADER } from "../../core/tokens/requestSignature.ts";

/** A merchant pastes the code into WordPress within this time. */
export const CONNECT_CODE_SECONDS = 30 * 60;
/** A console sign-in link is followed at once, from the browser that asked for it. */
export const CONSOLE_LINK_SECONDS = 60;
const BODY_LIMIT = 16 * 1024;
const STORE_ID = /^[A-Za-z0-9_-]{1,64}$/;

const registration = z
  .object({
    code: z.string().min(20).max(2048),
    siteUrl: z.url({ protocol: /^https?$/ }).max(2048),
    name: z.string().trim().min(1).max(200),
    consumerKey: z.string().regex(/^ck_[0-9a-f]{40}$/),
    consumerSecret: z.string().regex(/^cs_[0-9a-f]{40}$/),
    webhookSecret: z.string().min(32).max(200),
    pluginVersion: z.string().max(40).optional(),
  })
  .strict();

/**
 * The WooCommerce plugin's endpoints (wordpress-plugin/holdfast):
 * - POST /v1/admin/connector/codes (admin token): a one-time connect code, valid 30 minutes;
 * - POST /v1/connector/register: the plugin's Connect step, signed with that code; saves the
 *   store with the REST key pair and webhook secret it sends, and answers the store id, a new
 *   connector secret, the webhook URL and the store's token keys, in one go;
 * - GET /v1/connector/keys, GET /v1/connector/drops, POST /v1/connector/console-link: signed
 *   with the store's connector secret (X-Holdfast-Store, X-Holdfast-Signature);
 * - GET /v1/connector/console?token=: follows a console link once, signs the browser in.
 */
export function connectorRoutes(deps: ConnectorDeps): Route[] {
  const routes: Route[] = [
    { method: "POST", path: "/v1/connector/register", handler: (ctx) => register(deps, ctx) },
    { method: "GET", path: "/v1/connector/keys", handler: (ctx) => keys(deps, ctx) },
    { method: "GET", path: "/v1/connector/drops", handler: (ctx) => drops(deps, ctx) },
    { method: "POST", path: "/v1/connector/console-link", handler: (ctx) => consoleLink(deps, ctx) },
  ];
  if (deps.adminToken) {
    const guard = bearerGuard(deps.adminToken);
    routes.push({ method: "POST", path: "/v1/admin/connector/codes", handler: (ctx) => issueCode(deps, guard, ctx) });
  }
  const consoleCookie = deps.consoleCookie;
  if (consoleCookie) routes.push({ method: "GET", path: "/v1/connector/console", handler: (ctx) => followConsoleLink(deps, consoleCookie, ctx) });
  return routes;
}

async function issueCode(deps: ConnectorDeps, guard: (req: IncomingMessage) => void, { req, res }: RequestContext): Promise<void> {
  guard(req);
  const now = nowSeconds(deps);
  const code = signToken({ typ: "connect", iat: now, exp: now + CONNECT_CODE_SECONDS, jti: randomUUID() }, await deps.keyrings.forStore(null));
  sendJson(res, 201, { code, expiresAt: new Date((now + CONNECT_CODE_SECONDS) * 1000).toISOString() });
}

async function register(deps: ConnectorDeps, { req, res }: RequestContext): Promise<void> {
  const raw = await readRaw(req, BODY_LIMIT);
  const parsed = registration.safeParse(parseJson(raw));
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join(".") || "(body)"))].join(", ");
    throw new HttpError(400, "invalid_registration", `The registration is incomplete or malformed: ${fields}.`);
  }
  const { code, pluginVersion, ...store } = parsed.data;
  const claims = verifyOperatorToken(code, "connect", await deps.keyrings.forStore(null), deps, "connect_code");
  // The plugin signs the request with the code: the body it sends is the body we save.
  const problem = checkRequestSignature(code, header(req, SIGNATURE_HEADER), { method: "POST", target: "/v1/connector/register", body: raw }, nowSeconds(deps));
  if (problem) throw new HttpError(401, problem, "The registration is not signed with its connect code.");
  if (!(await deps.spendOnce(`connect:${String(claims.jti)}`, CONNECT_CODE_SECONDS))) {
    throw new HttpError(409, "connect_code_used", "This connect code was already used; create a new one.");
  }
  let saved: { storeId: string; connectorSecret: string };
  try {
    saved = await deps.stores.registerWoo(store);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new HttpError(400, error.code, error.message);
    throw error;
  }
  const keyring = await deps.keyrings.forStore(saved.storeId);
  deps.logger.info("woocommerce store connected", { storeId: saved.storeId, pluginVersion: pluginVersion ?? null });
  sendJson(res, 201, {
    storeId: saved.storeId,
    connectorSecret: saved.connectorSecret,
    webhookUrl: `${deps.publicUrl(req)}/v1/webhooks/woocommerce/${saved.storeId}`,
    keys: keyList(keyring),
    current: keyring.current.kid,
  });
}

async function keys(deps: ConnectorDeps, ctx: RequestContext): Promise<void> {
  const storeId = await verifyStore(deps, ctx, Buffer.alloc(0));
  const keyring = await deps.keyrings.forStore(storeId);
  sendJson(ctx.res, 200, { keys: keyList(keyring), current: keyring.current.kid }, { "cache-control": "no-store" });
}

async function drops(deps: ConnectorDeps, ctx: RequestContext): Promise<void> {
  const storeId = await verifyStore(deps, ctx, Buffer.alloc(0));
  sendJson(ctx.res, 200, { drops: await deps.dropsOf(storeId) }, { "cache-control": "no-store" });
}

async function consoleLink(deps: ConnectorDeps, ctx: RequestContext): Promise<void> {
  const raw = await readRaw(ctx.req, BODY_LIMIT);
  const storeId = await verifyStore(deps, ctx, raw);
  if (!deps.consoleCookie) throw new HttpError(404, "console_disabled", "This Holdfast service runs without its console.");
  const now = nowSeconds(deps);
  const token = signToken(
    { typ: "console-link", iat: now, exp: now + CONSOLE_LINK_SECONDS, jti: randomUUID(), st: storeId },
    await deps.keyrings.forStore(null),
  );
  sendJson(ctx.res, 201, {
    url: `${deps.publicUrl(ctx.req)}/v1/connector/console?token=${encodeURIComponent(token)}`,
    expiresAt: new Date((now + CONSOLE_LINK_SECONDS) * 1000).toISOString(),
  });
}

async function followConsoleLink(deps: ConnectorDeps, consoleCookie: (request: Request) => string, { req, res, query }: RequestContext): Promise<void> {
  const claims = verifyOperatorToken(query.get("token") ?? "", "console-link", await deps.keyrings.forStore(null), deps, "console_link");
  if (!(await deps.spendOnce(`console:${String(claims.jti)}`, CONSOLE_LINK_SECONDS))) {
    throw new HttpError(401, "console_link_used", "This sign-in link was already used; open the console again from WordPress.");
  }
  const url = `${deps.publicUrl(req)}${req.url ?? "/"}`;
  const cookie = consoleCookie(new Request(url, { headers: { "x-forwarded-proto": header(req, "x-forwarded-proto") ?? "" } }));
  // The token leaves the address bar at once: the console's URL carries nothing.
  res.writeHead(303, { location: "/console", "set-cookie": cookie, "cache-control": "no-store", "referrer-policy": "no-referrer" });
  res.end();
}

/** The store a signed plugin request comes from; 401 for anything not signed with its connector secret. */
async function verifyStore(deps: ConnectorDeps, { req }: RequestContext, raw: Buffer): Promise<string> {
  const storeId = header(req, STORE_HEADER) ?? "";
  const secret = STORE_ID.test(storeId) ? await deps.stores.connectorSecretOf(storeId) : null;
  if (secret === null)
    throw new HttpError(401, "store_not_connected", "No connected WooCommerce store has this id; run Connect in WooCommerce > Settings > Holdfast.");
  const target = new URL(req.url ?? "/", "http://holdfast.invalid").pathname;
  const problem = checkRequestSignature(secret, header(req, SIGNATURE_HEADER), { method: req.method ?? "GET", target, body: raw }, nowSeconds(deps));
  if (problem) throw new HttpError(401, problem, "The request is not signed with this store's connector secret.");
  return storeId;
}

function verifyOperatorToken(token: string, type: string, keyring: Parameters<typeof verifyToken>[1], deps: ConnectorDeps, prefix: string): TokenClaims {
  try {
    return verifyToken(token, keyring, { type, now: deps.clock.now() });
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    const expired = error.code === "token_expired";
    throw new HttpError(
      401,
      `${prefix}_${expired ? "expired" : "invalid"}`,
      expired ? "This code or link has expired; create a new one." : "This code or link is not one this Holdfast service issued.",
    );
  }
}

function keyList(keyring: { current: { kid: string; secret: Buffer }; previous: readonly { kid: string; secret: Buffer }[] }): { kid: string; k: string }[] {
  return [keyring.current, ...keyring.previous].map(({ kid, secret }) => ({ kid, k: secret.toString("base64url") }));
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" ? value : undefined;
}

function nowSeconds(deps: ConnectorDeps): number {
  return Math.floor(deps.clock.now() / 1000);
}
