import { createHmac, randomBytes, randomUUID } from "node:crypto";

import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";

import { SHOPIFY_SCOPES } from "../../../app/shopify.server.ts";

/** The session token App Bridge hands the embedded app: a JWT HS256 signed with the app's secret, as Shopify signs it. */
export function sessionToken(shop: string, apiKey: string, apiSecret: string, now = Date.now(), overrides: Record<string, unknown> = {}): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const seconds = Math.floor(now / 1000);
  const header = encode({ alg: "HS256", typ: "JWT" });
  const payload = encode({
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: apiKey,
    sub: "42",
    exp: seconds + 60,
    nbf: seconds - 5,
    iat: seconds - 5,
    jti: randomUUID(),
    sid: randomBytes(8).toString("hex"),
    ...overrides,
  });
  const signature = createHmac("sha256", apiSecret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** The offline session install leaves for each shop, with every scope the app asks for. */
export async function storeOfflineSessions(storage: SessionStorage, shops: readonly { domain: string; accessToken: string }[]): Promise<void> {
  for (const shop of shops) {
    await storage.storeSession(
      new Session({
        id: `offline_${shop.domain}`,
        shop: shop.domain,
        state: "",
        isOnline: false,
        accessToken: shop.accessToken,
        scope: SHOPIFY_SCOPES.join(","),
      }),
    );
  }
}
