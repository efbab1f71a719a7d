/**
 * Resilience for every platform call: timeout, retry (jittered backoff), a circuit breaker per
 * (store, platform), and a cost budget mirroring the platform's rate bucket.
 *
 * Built on cockatiel rather than opossum: cockatiel is TypeScript-first with small policies
 * that compose (retry -> breaker -> timeout here, each in its own file), its breaker counts
 * only the failures a predicate selects (outages, not refusals), and it runs on Node >= 16;
 * opossum wraps one function per breaker, carries its own rolling-window statistics we do not
 * need, and its current major (10) requires Node 22+, which these machines do not run.
 */
export { BREAKER_OPEN, BreakerOpenError, isBreakerOpen } from "./errors/BreakerOpenError.ts";
export { BreakerRegistry, type BreakerSnapshot, type RegistryListener } from "./BreakerRegistry.ts";
export { CircuitBreaker, type BreakerOptions, type BreakerState, type StateListener } from "./CircuitBreaker.ts";
export {
  CostBudget,
  CostBudgetRegistry,
  DEFAULT_BUDGET_MAX_WAIT_MS,
  type BucketStatus,
  type CostBudgetOptions,
  type RateBudget,
  type Reservation,
} from "./CostBudget.ts";
export { DEFAULT_BUDGET_PREFIX, RedisCostBudget, type RedisCostBudgetOptions } from "./RedisCostBudget.ts";
export { DEFAULT_POLICY, PlatformPolicy, platformPolicy, type ExecuteOptions, type PlatformPolicyOptions } from "./PlatformPolicy.ts";
export { exponentialCeilingMs, PlatformRetryBackoff, type BackoffOptions } from "./backoff.ts";
export { PlatformTimeoutError, TIMEOUT } from "./errors/PlatformTimeoutError.ts";
export { countsAgainstBreaker, isTransient } from "./transient.ts";
export { RedisCircuit, type RedisCircuitOptions } from "./RedisCircuit.ts";
export { isRedisUnavailable, RedisUnavailableError } from "./errors/RedisUnavailableError.ts";
export { isDatabaseUnavailable } from "./errors/databaseUnavailable.ts";
export { UNAVAILABLE_CODE, unavailableDependency, type UnavailableDependency } from "./errors/unavailableDependency.ts";
