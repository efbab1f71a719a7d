import { randomBytes } from "node:crypto";

/**
 * A shop's expiring offline tokens, as Shopify issues them (checked 2026-12 against
 * shopify.dev "Offline access tokens"): `POST https://<shop>/admin/oauth/access_token` with
 * `{client_id, client_secret, grant_type: "refresh_token", refresh_token}` answers
 * `{access_token, scope, expires_in, refresh_token, refresh_token_expires_in}`; every refresh
 * replaces the refresh token (the old one stops working here at once, stricter than Shopify,
 * which keeps it until the new one is used) and the old access token. An expired access token
 * is refused by the Admin API with HTTP 401 and Shopify's body. A refused refresh answers
 * HTTP 400 `{"error": "invalid_grant", ...}` (RFC 6749's code; the app relies on the status only).
 */
export interface ExpiringTokenConfig {
  clientId: string;
  clientSecret: string;
  /** Access token lifetime (Shopify: 3600); tests use a few seconds. */
  accessTtlSeconds: number;
  refreshTtlSeconds?: number;
  scope?: string;
}

export interface TokenAnswer {
  access_token: string;
  scope: string;
  expires_in: number;
  refresh_token: string;
  refresh_token_expires_in: number;
}

export class ShopTokens {
  accessToken: string;
  private accessExpiresAt = 0;
  private refreshToken = "";
  private refreshExpiresAt = 0;
  /** Refreshes answered with a new pair, and refused ones (count them in tests). */
  refreshes = 0;
  refusals = 0;
  /** Revoke the refresh token (the merchant uninstalled, Shopify rotated it away): every refresh is refused. */
  refuseRefreshes = false;
  /** Every token handed out, so tests can search logs for them. */
  readonly issued: string[] = [];

  constructor(
    initialToken: string,
    readonly config: ExpiringTokenConfig | null,
  ) {
    this.accessToken = initialToken;
    this.issued.push(initialToken);
  }

  /** Issues a new pair (what token exchange does at install); the previous one stops working. */
  issue(): TokenAnswer {
    const config = this.required();
    const refreshTtl = config.refreshTtlSeconds ?? 90 * 24 * 3600;
    this.accessToken = `shpat_${randomBytes(12).toString("hex")}`;
    this.refreshToken = `shprt_${randomBytes(12).toString("hex")}`;
    this.accessExpiresAt = Date.now() + config.accessTtlSeconds * 1000;
    this.refreshExpiresAt = Date.now() + refreshTtl * 1000;
    this.issued.push(this.accessToken, this.refreshToken);
    return {
      access_token: this.accessToken,
      scope: config.scope ?? "write_inventory",
      expires_in: config.accessTtlSeconds,
      refresh_token: this.refreshToken,
      refresh_token_expires_in: refreshTtl,
    };
  }

  /** Does the Admin API take this token now? */
  accepts(token: unknown): boolean {
    if (token !== this.accessToken) return false;
    return this.config === null || Date.now() < this.accessExpiresAt;
  }

  /** The token endpoint: a status and a body. */
  refresh(body: Record<string, unknown>): { status: number; body: unknown } {
    const config = this.config;
    if (!config || body.client_id !== config.clientId || body.client_secret !== config.clientSecret) {
      this.refusals++;
      return { status: 401, body: { error: "invalid_client", error_description: "Client authentication failed." } };
    }
    if (body.grant_type !== "refresh_token") return { status: 400, body: { error: "unsupported_grant_type" } };
    if (this.refuseRefreshes || body.refresh_token !== this.refreshToken || Date.now() >= this.refreshExpiresAt) {
      this.refusals++;
      return { status: 400, body: { error: "invalid_grant", error_description: "The refresh token is invalid, expired or revoked." } };
    }
    this.refreshes++;
    return { status: 200, body: this.issue() };
  }

  private required(): ExpiringTokenConfig {
    if (!this.config) throw new Error("this stand-in shop has a non-expiring token");
    return this.config;
  }
}
