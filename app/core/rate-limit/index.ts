export { DEFAULT_LOCAL_MAX_KEYS, LocalRateLimiter, type LocalRateLimiterOptions } from "./LocalRateLimiter.ts";
export { DEFAULT_RATE_LIMIT_RULES, RATE_LIMIT_VARIABLES, rateLimitRulesFromEnv, type RateLimitRules } from "./rules.ts";
export type { RateLimitResult, RateLimitRule } from "./types.ts";
export { secondsUntil } from "./validation.ts";
