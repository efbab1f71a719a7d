/**
 * What the app writes into the validation's app-owned metafield ($app:holdfast / gate) and
 * the function reads: the store's token keys and every running drop. The app writes it
 * (app/drops/gate/gateConfig.server.ts) each time a drop is saved, started, paused or
 * ended and when the keys rotate; the function has no other source of truth.
 */
export const GATE_METAFIELD = { namespace: "$app:holdfast", key: "gate" } as const;

/** Shopify hands a function metafield values up to 10,000 bytes; the app refuses to write more. */
export const MAX_GATE_CONFIG_BYTES = 10_000;

export type FailPolicy = "open" | "closed";

export interface GateDrop {
  /** sale id, as the hold token's `s` claim */
  s: string;
  /**
   * "closed": a drop line without a hold token is refused. "open": the merchant prefers
   * selling to blocking when Holdfast cannot be reached, so a line without a token passes
   * (order-time enforcement applies the bypass policy); tokens that are present are still checked.
   */
  f: FailPolicy;
  /** numeric ProductVariant id -> sale item id */
  i: Record<string, string>;
}

export interface GateConfig {
  v: 1;
  /** kid -> base64url HMAC secret: every key the store's tokens may still carry (rotation-safe). */
  k: Record<string, string>;
  d: GateDrop[];
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The config, or null when the metafield is missing or not ours (the function then checks nothing). */
export function parseGateConfig(value: unknown): GateConfig | null {
  if (!isRecord(value) || value.v !== 1 || !isRecord(value.k) || !Array.isArray(value.d)) return null;
  const keys: Record<string, string> = {};
  for (const [kid, secret] of Object.entries(value.k)) if (ID.test(kid) && typeof secret === "string") keys[kid] = secret;
  const drops: GateDrop[] = [];
  for (const drop of value.d as unknown[]) {
    if (!isRecord(drop) || typeof drop.s !== "string" || !isRecord(drop.i)) continue;
    const items: Record<string, string> = {};
    for (const [variant, item] of Object.entries(drop.i)) if (typeof item === "string") items[variant] = item;
    drops.push({ s: drop.s, f: drop.f === "open" ? "open" : "closed", i: items });
  }
  return { v: 1, k: keys, d: drops };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
