import type { RateLimitRule } from "./types.ts";

/**
 * Default limits for the storefront API. Per-address limits are generous because a whole
 * crowd can sit behind one NAT or carrier-grade NAT address at a drop; per-session limits
 * catch the single script. Each can be changed, in requests per minute:
 *
 *   HOLDFAST_RATE_LIMIT_JOIN_PER_IP        default  1200  joins per client address (Redis, shared)
 *   HOLDFAST_RATE_LIMIT_STATUS_PER_IP      default  6000  status polls per client address (in-process, per server process)
 *   HOLDFAST_RATE_LIMIT_JOIN_PER_SESSION   default    20  joins per shopper session (Redis, shared)
 *   HOLDFAST_RATE_LIMIT_HOLD_PER_SESSION   default    60  hold requests per shopper session (Redis, shared)
 *
 * A client address is an IPv4 address or an IPv6 /64 (see app/api/clientAddress.ts).
 */
export interface RateLimitRules {
  joinPerAddress: RateLimitRule;
  statusPerAddress: RateLimitRule;
  joinPerSession: RateLimitRule;
  holdPerSession: RateLimitRule;
  /**
   * Units one client address may hold or have bought per sale (HOLDFAST_HOLD_UNITS_PER_ADDRESS,
   * default 20, 0: none): so that many sessions from one address cannot take a drop's stock.
   * Generous, as a crowd can share a NAT address; per-customer limits stay per session.
   */
  holdUnitsPerAddress: number;
}

const MINUTE_MS = 60_000;
const perMinute = (limit: number): RateLimitRule => ({ limit, windowMs: MINUTE_MS });

export const DEFAULT_RATE_LIMIT_RULES: Readonly<RateLimitRules> = Object.freeze({
  joinPerAddress: perMinute(1_200),
  statusPerAddress: perMinute(6_000),
  joinPerSession: perMinute(20),
  holdPerSession: perMinute(60),
  holdUnitsPerAddress: 20,
});

export const HOLD_UNITS_PER_ADDRESS_VARIABLE = "HOLDFAST_HOLD_UNITS_PER_ADDRESS";

export const RATE_LIMIT_VARIABLES: Readonly<Record<Exclude<keyof RateLimitRules, "holdUnitsPerAddress">, string>> = Object.freeze({
  joinPerAddress: "HOLDFAST_RATE_LIMIT_JOIN_PER_IP",
  statusPerAddress: "HOLDFAST_RATE_LIMIT_STATUS_PER_IP",
  joinPerSession: "HOLDFAST_RATE_LIMIT_JOIN_PER_SESSION",
  holdPerSession: "HOLDFAST_RATE_LIMIT_HOLD_PER_SESSION",
});

export function rateLimitRulesFromEnv(env: NodeJS.ProcessEnv = process.env): RateLimitRules {
  const rules = { ...DEFAULT_RATE_LIMIT_RULES };
  const perAddress = env[HOLD_UNITS_PER_ADDRESS_VARIABLE]?.trim();
  if (perAddress) {
    if (!/^\d{1,9}$/.test(perAddress)) throw new Error(`${HOLD_UNITS_PER_ADDRESS_VARIABLE} must be a whole number of units (0: no limit); got "${perAddress}"`);
    rules.holdUnitsPerAddress = Number(perAddress);
  }
  for (const name of Object.keys(RATE_LIMIT_VARIABLES) as (keyof typeof RATE_LIMIT_VARIABLES)[]) {
    const variable = RATE_LIMIT_VARIABLES[name];
    const raw = env[variable]?.trim();
    if (!raw) continue;
    if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) {
      throw new Error(`${variable} must be a whole number of requests per minute, at least 1; got "${raw}"`);
    }
    rules[name] = perMinute(Number(raw));
  }
  return rules;
}
