import { PaymentDeclinedError, type Capture, type CaptureRequest, type PaymentProvider } from "../../core/checkout/index.ts";
import type { RedisClient } from "../../core/redis.ts";
import { testPaymentKey } from "../../core/keys.ts";

const OUTCOMES = new Set(["approve", "decline"]);
/** A week: longer than any checkout job retries. */
const RECORD_TTL_SECONDS = 7 * 24 * 60 * 60;

/**
 * The demo's payment provider: needs no configuration, takes `{method:"test", outcome?:
 * "approve"|"decline"}` and moves no money. Captures are remembered in Redis by order id
 * (`hf:pay:test:<orderId>`), so it is idempotent across worker processes and restarts, as a
 * real gateway is by idempotency key; tests read the same keys to count charges.
 */
export class TestPaymentProvider implements PaymentProvider {
  readonly name = "test";

  constructor(private readonly redis: RedisClient) {}

  static key(orderId: string): string {
    return testPaymentKey(orderId);
  }

  checkPayload(payment: Record<string, unknown>): string | null {
    if (payment.method !== "test") return 'payment.method must be "test" (the only provider configured)';
    for (const name of Object.keys(payment)) {
      if (name !== "method" && name !== "outcome") return `payment.${name} is not a field of the test provider`;
    }
    if (payment.outcome !== undefined && !OUTCOMES.has(payment.outcome as string)) return 'payment.outcome must be "approve" or "decline"';
    return null;
  }

  async capture(request: CaptureRequest): Promise<Capture> {
    if (request.payment.outcome === "decline") throw new PaymentDeclinedError("payment_declined", "the test card was declined");
    const record = JSON.stringify({ state: "captured", amount: request.amount, at: Date.now() });
    const fresh = await this.redis.set(TestPaymentProvider.key(request.orderId), record, "EX", RECORD_TTL_SECONDS, "NX");
    return { paymentRef: `test_${request.orderId}`, replayed: fresh === null };
  }

  async refund(orderId: string, reason: string): Promise<void> {
    const key = TestPaymentProvider.key(orderId);
    const raw = await this.redis.get(key);
    if (raw === null) return;
    const record = JSON.parse(raw) as Record<string, unknown>;
    if (record.state === "refunded") return;
    await this.redis.set(key, JSON.stringify({ ...record, state: "refunded", reason }), "EX", RECORD_TTL_SECONDS);
  }
}
