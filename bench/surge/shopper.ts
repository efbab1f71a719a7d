import type { Answer, SurgeClient } from "./client.ts";

/** How one simulated shopper's visit ended. */
export type ShopperOutcome = "bought" | "released" | "sold_out" | "ended" | "order_failed" | "refused" | "stopped";

export interface ShopperRecord {
  /** Queue place from the join answer (null for a pre-queue ticket). */
  position: number | null;
  /** Milliseconds after the run started. */
  joinedAt: number | null;
  /** When a status poll first answered `admitted` (or the join itself, with the room off). */
  admittedAt: number | null;
  heldAt: number | null;
  outcome: ShopperOutcome | null;
  /** Units of a placed order. */
  boughtUnits: number;
  /** The last refusal's code, when the outcome is "refused" or "order_failed". */
  reason: string | null;
}

/** What every shopper shares: the target, the sale, the run's clock and its stop signal. */
export interface SurgeContext {
  client: SurgeClient;
  saleId: string;
  quantity: number;
  checkoutShare: number;
  random: () => number;
  /** Milliseconds since the run started. */
  elapsed(): number;
  /** Items that had units available at the last stock sample (shoppers pick among them). */
  itemsWithStock(): readonly string[];
  stopped(): boolean;
  /** Every unit was sold (the run stops shoppers who are still waiting then: they missed out). */
  soldOut(): boolean;
  /** The run's hard limit (--max-seconds) has passed: even orders are no longer followed. */
  pastDeadline(): boolean;
  /** Resolves after `ms`, or at once when the run stops. */
  sleep(ms: number): Promise<void>;
}

const MAX_TRANSIENT_RETRIES = 5;

/** 198.18.0.0/15 is reserved for benchmarks (RFC 2544): one address per simulated shopper. */
export function shopperAddress(index: number): string {
  const n = index % 131_072;
  return `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

function randomSession(random: () => number): string {
  let text = "surge-";
  for (let i = 0; i < 24; i++) text += "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[Math.floor(random() * 62)];
  return text;
}

/** Retry-After in milliseconds (at least a second), for 429 and 503. */
function retryAfterMs(answer: Answer, attempt: number): number {
  const seconds = answer.retryAfter ?? 2 ** attempt;
  return Math.min(seconds, 30) * 1_000;
}

const transient = (answer: Answer) => answer.status === 0 || answer.status === 429 || answer.status === 503;

/**
 * One shopper, as the widget behaves: join, poll status when `refreshAfter` says, hold when
 * admitted (with the pass when the room hands one out), then check out with the test
 * payment provider (or release, for the share that changes their mind), and follow the order
 * until it is placed or failed. Transient refusals (429, 503, a dropped connection) are
 * retried after Retry-After, as the widget does; anything else ends the visit with its code.
 */
export async function runShopper(ctx: SurgeContext, index: number, record: ShopperRecord): Promise<void> {
  const headers = { "x-holdfast-session": randomSession(ctx.random), "x-forwarded-for": shopperAddress(index) };
  const sale = `/v1/sales/${ctx.saleId}`;
  const send = async (kind: Parameters<SurgeClient["request"]>[0], method: string, path: string, extra: Record<string, string> = {}, body?: unknown) => {
    for (let attempt = 0; ; attempt++) {
      const answer = await ctx.client.request(kind, method, path, { headers: { ...headers, ...extra }, body });
      if (!transient(answer) || attempt >= MAX_TRANSIENT_RETRIES || ctx.stopped()) return answer;
      await ctx.sleep(retryAfterMs(answer, attempt));
    }
  };
  const end = (outcome: ShopperOutcome, reason: string | null = null) => {
    record.outcome = outcome;
    record.reason = reason;
  };

  let joined = await send("join", "POST", `${sale}/tickets`);
  if (joined.status !== 201) return end("refused", joined.code);
  record.joinedAt = ctx.elapsed();
  record.position = typeof joined.body?.position === "number" ? joined.body.position : null;
  let ticket = String(joined.body?.ticket);
  let status: Record<string, unknown> = joined.body ?? {};

  for (;;) {
    if (ctx.stopped()) return end(ctx.soldOut() ? "sold_out" : "stopped");
    const state = status.state;
    if (state === "ended") return end("ended");
    if (state === "expired") {
      // The pass lapsed unused: join again, as the widget does.
      joined = await send("join", "POST", `${sale}/tickets`);
      if (joined.status !== 201) return end("refused", joined.code);
      ticket = String(joined.body?.ticket);
      status = joined.body ?? {};
      continue;
    }
    if (state === "admitted" || (state !== "prequeue" && status.passRequired === false)) {
      record.admittedAt ??= ctx.elapsed();
      const pass = typeof status.pass === "string" ? status.pass : null;
      const result = await holdAndFinish(ctx, send, sale, pass, record);
      if (result !== "poll") return;
    } else if (state === "soldout" && ctx.itemsWithStock().length === 0 && ctx.stopped()) {
      return end("sold_out");
    }
    const refreshAfter = typeof status.refreshAfter === "number" ? status.refreshAfter : 2;
    await ctx.sleep(refreshAfter * 1_000);
    if (ctx.stopped()) return end(ctx.soldOut() || state === "soldout" ? "sold_out" : "stopped");
    const polled = await send("status", "GET", `${sale}/status`, { authorization: `Bearer ${ticket}` });
    if (polled.status !== 200) return end("refused", polled.code);
    status = polled.body ?? {};
  }
}

type Send = (kind: Parameters<SurgeClient["request"]>[0], method: string, path: string, extra?: Record<string, string>, body?: unknown) => Promise<Answer>;

/** Holds, then checks out or releases. "poll" means no unit could be held yet: keep polling. */
async function holdAndFinish(ctx: SurgeContext, send: Send, sale: string, pass: string | null, record: ShopperRecord): Promise<"done" | "poll"> {
  const end = (outcome: ShopperOutcome, reason: string | null = null): "done" => {
    record.outcome = outcome;
    record.reason = reason;
    return "done";
  };
  const candidates = [...ctx.itemsWithStock()];
  if (candidates.length === 0) return "poll";
  const itemId = candidates[Math.floor(ctx.random() * candidates.length)] as string;
  const requestId = `surge-${Math.floor(ctx.random() * 2 ** 52).toString(36)}`;
  const hold = await send("hold", "POST", `${sale}/holds`, pass ? { "x-holdfast-pass": pass } : {}, { lines: [{ itemId, quantity: ctx.quantity }], requestId });
  if (hold.status === 409 && hold.code === "sold_out") return "poll";
  if (hold.status !== 201) return end("refused", hold.code);
  record.heldAt = ctx.elapsed();
  const token = String(hold.body?.token);

  // A shopper looks at the cart for a moment before paying.
  await ctx.sleep(200 + ctx.random() * 1_800);
  if (ctx.random() >= ctx.checkoutShare) {
    const released = await send("release", "DELETE", `/v1/holds/${String(hold.body?.holdId)}`, { authorization: `Bearer ${token}` });
    return released.status === 204 ? end("released") : end("refused", released.code);
  }
  const checkout = await send("checkout", "POST", "/v1/checkout", {}, { holdToken: token, payment: { method: "test" } });
  if (checkout.status !== 202 && checkout.status !== 200) return end("refused", checkout.code);
  const orderId = String(checkout.body?.orderId);
  const orderToken = String(checkout.body?.orderToken);
  // Orders are followed to the end even after the run stops taking new shoppers.
  for (;;) {
    const order = await ctx.client.request("order", "GET", `/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${orderToken}` } });
    const orderStatus = order.body?.status;
    if (orderStatus === "placed") {
      record.boughtUnits = ctx.quantity;
      return end("bought");
    }
    if (orderStatus === "failed") return end("order_failed", (order.body?.error as { code?: string } | undefined)?.code ?? "failed");
    if (order.status !== 200 && !transient(order)) return end("order_failed", order.code);
    if (ctx.pastDeadline()) return end("stopped", `order ${String(orderStatus)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
