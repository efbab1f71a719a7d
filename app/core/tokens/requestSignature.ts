import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Signed requests between the core and the WordPress plugin, both ways (the plugin's
 * src/Crypto/RequestSignature.php is the same scheme): the header
 * `X-Holdfast-Signature: t=<unix seconds>,v1=<base64url HMAC-SHA256>` signs
 * "<t>\n<METHOD>\n<target>\n<raw body>" with the store's connector secret. The target is the
 * core's URL path for calls to the core, and the WordPress REST route
 * (`/holdfast/v1/stock/adjust`) for calls to the plugin, which is the same with or without
 * pretty permalinks.
 */
export const SIGNATURE_HEADER = "x-holdfast-signature";
export const STORE_HEADER = "x-holdfast-store";
/** Replays older than this are refused; clocks of shared hosts drift, five minutes covers them. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureProblem = "signature_malformed" | "signature_expired" | "signature_invalid";

export interface SignedRequest {
  method: string;
  target: string;
  body: string | Buffer;
}

export function signRequest(secret: string, request: SignedRequest, nowSeconds: number): string {
  return `t=${nowSeconds},v1=${mac(secret, nowSeconds, request)}`;
}

/** Null when the header signs this request with this secret within the tolerance; otherwise why not. */
export function checkRequestSignature(secret: string, header: string | undefined, request: SignedRequest, nowSeconds: number): SignatureProblem | null {
  const match = typeof header === "string" ? /^t=(\d{1,12}),v1=([A-Za-z0-9_-]{43})$/.exec(header) : null;
  if (!match?.[1] || !match[2]) return "signature_malformed";
  const time = Number(match[1]);
  if (Math.abs(nowSeconds - time) > SIGNATURE_TOLERANCE_SECONDS) return "signature_expired";
  const expected = Buffer.from(mac(secret, time, request), "ascii");
  return timingSafeEqual(expected, Buffer.from(match[2], "ascii")) ? null : "signature_invalid";
}

function mac(secret: string, time: number, request: SignedRequest): string {
  return createHmac("sha256", secret).update(`${time}\n${request.method.toUpperCase()}\n${request.target}\n`).update(request.body).digest("base64url");
}
