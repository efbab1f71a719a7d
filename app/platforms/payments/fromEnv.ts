import type { PaymentProvider } from "../../core/checkout/index.ts";
import type { RedisClient } from "../../core/redis.ts";
import { HttpPaymentProvider } from "./HttpPaymentProvider.ts";
import { TestPaymentProvider } from "./TestPaymentProvider.ts";

/**
 * HOLDFAST_PAYMENT_ENDPOINT + HOLDFAST_PAYMENT_SECRET select the HTTP provider; without them
 * the test provider runs (demo and development: it moves no money). In production without a
 * provider there is no headless checkout (null: the routes and the worker stay off), unless
 * HOLDFAST_PAYMENT_PROVIDER=test asks for the test provider on purpose.
 */
export function paymentProviderFromEnv(env: NodeJS.ProcessEnv, redis: RedisClient): PaymentProvider | null {
  const endpoint = env.HOLDFAST_PAYMENT_ENDPOINT?.trim();
  if (endpoint) {
    const secret = env.HOLDFAST_PAYMENT_SECRET?.trim();
    if (!secret) throw new Error("HOLDFAST_PAYMENT_SECRET is required with HOLDFAST_PAYMENT_ENDPOINT");
    return new HttpPaymentProvider({ endpoint, secret });
  }
  if (env.NODE_ENV === "production" && env.HOLDFAST_PAYMENT_PROVIDER !== "test") return null;
  return new TestPaymentProvider(redis);
}
