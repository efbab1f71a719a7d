import { createHmac, randomBytes, randomUUID } from "node:crypto";

/** The session token App Bridge hands the embedded app: a JWT HS256 signed with the app's secret, as Shopify signs it. */
export function sessionToken(shop: string, apiKey: string, apiSecret: string, now = Date.now()): string {
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
  });
  const signature = createHmac("sha256", apiSecret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}
