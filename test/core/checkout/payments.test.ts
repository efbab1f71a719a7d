import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PaymentDeclinedError, PaymentUnavailableError } from "../../../app/core/checkout/index.ts";
import type { RedisClient } from "../../../app/core/redis.ts";
import { HttpPaymentProvider, paymentProviderFromEnv, TestPaymentProvider } from "../../../app/platforms/payments/index.ts";
import { PaymentStandIn } from "../../support/payments/index.ts";
import { connectTestRedis } from "../../support/redis.ts";

const SECRET = "payments-test-secret-0123456789";
const amount = { amountMinor: 1_000, currency: "EUR" };
let redis: RedisClient;
let gateway: PaymentStandIn;
let provider: HttpPaymentProvider;
let run = 0;
const orderId = () => `co-pay${process.pid}x${Date.now()}x${++run}`;

beforeAll(async () => {
  redis = connectTestRedis();
  gateway = await new PaymentStandIn(SECRET).start();
  provider = new HttpPaymentProvider({ endpoint: gateway.endpoint, secret: SECRET, policy: { retries: 0, breaker: { consecutiveFailures: 100 } } });
});
afterAll(async () => {
  await gateway?.close();
  await redis?.quit();
});

describe("the test provider", () => {
  it("takes only {method:'test', outcome?}", () => {
    const test = new TestPaymentProvider(redis);
    expect(test.checkPayload({ method: "test" })).toBeNull();
    expect(test.checkPayload({ method: "test", outcome: "decline" })).toBeNull();
    expect(test.checkPayload({ method: "card" })).toMatch(/method/);
    expect(test.checkPayload({ method: "test", outcome: "later" })).toMatch(/outcome/);
    expect(test.checkPayload({ method: "test", cvv: "123" })).toMatch(/cvv/);
  });

  it("captures once per order id across instances (processes), declines on request, refunds once", async () => {
    const id = orderId();
    expect(await new TestPaymentProvider(redis).capture({ orderId: id, amount, payment: { method: "test" } })).toMatchObject({ replayed: false });
    expect(await new TestPaymentProvider(redis).capture({ orderId: id, amount, payment: { method: "test" } })).toMatchObject({ replayed: true });
    await expect(
      new TestPaymentProvider(redis).capture({ orderId: orderId(), amount, payment: { method: "test", outcome: "decline" } }),
    ).rejects.toBeInstanceOf(PaymentDeclinedError);
    await new TestPaymentProvider(redis).refund(id, "test");
    expect(JSON.parse((await redis.get(TestPaymentProvider.key(id))) ?? "{}")).toMatchObject({ state: "refunded" });
  });
});

describe("the HTTP provider", () => {
  it("captures with a signed, idempotent request; a repeat is a replay, not a second charge", async () => {
    const id = orderId();
    expect(await provider.capture({ orderId: id, amount, payment: { token: "tok" } })).toEqual({ paymentRef: `pay_${id}`, replayed: false });
    expect(await provider.capture({ orderId: id, amount, payment: { token: "tok" } })).toEqual({ paymentRef: `pay_${id}`, replayed: true });
    expect(gateway.charges.get(id)).toBe(1_000);
    expect(gateway.requests.filter((request) => request.idempotencyKey === `capture:${id}`).every((request) => request.signature)).toBe(true);
  });

  it("maps the gateway's answers: 402 declined with its code, 5xx and a bad signature unavailable", async () => {
    await expect(provider.capture({ orderId: orderId(), amount, payment: { token: "decline" } })).rejects.toMatchObject({
      name: "PaymentDeclinedError",
      code: "card_declined",
    });
    gateway.fail(502);
    await expect(provider.capture({ orderId: orderId(), amount, payment: { token: "tok" } })).rejects.toBeInstanceOf(PaymentUnavailableError);
    const wrongSecret = new HttpPaymentProvider({ endpoint: gateway.endpoint, secret: "not-the-gateway-secret-000", policy: { retries: 0 } });
    await expect(wrongSecret.capture({ orderId: orderId(), amount, payment: { token: "tok" } })).rejects.toBeInstanceOf(PaymentUnavailableError);
    const nobody = new HttpPaymentProvider({ endpoint: "http://127.0.0.1:1/gateway", secret: SECRET, policy: { retries: 0 } });
    await expect(nobody.capture({ orderId: orderId(), amount, payment: { token: "tok" } })).rejects.toBeInstanceOf(PaymentUnavailableError);
  });

  it("refunds a capture once; refunding an order never captured is a no-op", async () => {
    const id = orderId();
    await provider.capture({ orderId: id, amount, payment: { token: "tok" } });
    await provider.refund(id, "platform_rejected");
    await provider.refund(id, "platform_rejected");
    expect(gateway.refunds.has(id)).toBe(true);
    expect(gateway.charges.has(id)).toBe(false);
    await expect(provider.refund(orderId(), "payment_declined")).resolves.toBeUndefined();
  });

  it("checks the shopper's payload size and presence before anything is queued", () => {
    expect(provider.checkPayload({ token: "tok" })).toBeNull();
    expect(provider.checkPayload({})).toMatch(/payment/);
    expect(provider.checkPayload({ token: "x".repeat(5_000) })).toMatch(/4096/);
  });
});

describe("paymentProviderFromEnv", () => {
  it("picks the HTTP provider when configured, the test provider otherwise, and none in production without one", () => {
    expect(
      paymentProviderFromEnv({ HOLDFAST_PAYMENT_ENDPOINT: "https://pay.example.com/hf", HOLDFAST_PAYMENT_SECRET: SECRET } as NodeJS.ProcessEnv, redis),
    ).toBeInstanceOf(HttpPaymentProvider);
    expect(paymentProviderFromEnv({} as NodeJS.ProcessEnv, redis)).toBeInstanceOf(TestPaymentProvider);
    expect(() => paymentProviderFromEnv({ HOLDFAST_PAYMENT_ENDPOINT: "https://pay.example.com/hf" } as NodeJS.ProcessEnv, redis)).toThrow(/SECRET/);
    expect(paymentProviderFromEnv({ NODE_ENV: "production" } as NodeJS.ProcessEnv, redis)).toBeNull();
    expect(paymentProviderFromEnv({ NODE_ENV: "production", HOLDFAST_PAYMENT_PROVIDER: "test" } as NodeJS.ProcessEnv, redis)).toBeInstanceOf(
      TestPaymentProvider,
    );
  });
});
