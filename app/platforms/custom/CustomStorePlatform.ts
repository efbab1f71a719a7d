import { systemClock, type Clock } from "../../core/clock.ts";
import { silentLogger, type Logger } from "../../core/logger.ts";
import {
  PlatformError,
  type CreatedOrder,
  type NewOrder,
  type Platform,
  type PlatformErrorKind,
  type StockLevel,
  type StockWrite,
} from "../../core/platform/index.ts";
import type { CustomStoreEvent, OrderCreateEvent } from "./events.ts";
import { customSignatureHeaders, IDEMPOTENCY_KEY_HEADER } from "./signature.ts";
import { DEFAULT_RETRY_AFTER_MS, kindForHttpStatus, parseRetryAfter } from "../httpErrors.ts";

export interface CustomStoreOptions {
  /** The merchant's endpoint: events are POSTed to it, stock is read from `<endpoint>/stock`. */
  endpoint: string;
  /** Shared HMAC secret (the merchant verifies with `verifyCustomSignature`). */
  secret: string;
  /** Deadline per call. Default 5 s. */
  timeoutMs?: number;
  /** Items per stock.updated event. Default 100. */
  maxBatch?: number;
  clock?: Clock;
  logger?: Logger;
  fetch?: typeof globalThis.fetch;
}

interface Answer {
  status: number;
  body: unknown;
}

function errorBody(body: unknown): { code?: string; message?: string } {
  if (typeof body !== "object" || body === null) return {};
  const record = body as Record<string, unknown>;
  const inner = typeof record.error === "object" && record.error !== null ? (record.error as Record<string, unknown>) : record;
  return {
    code: typeof inner.code === "string" ? inner.code : undefined,
    message: typeof inner.message === "string" ? inner.message : typeof record.error === "string" ? record.error : undefined,
  };
}

function retryAfterMs(value: string | null, nowMs: number): number {
  return parseRetryAfter(value, nowMs) ?? DEFAULT_RETRY_AFTER_MS;
}

/** A custom store may enforce `previous` on stock writes, so 409 means "re-read and retry". */
function kindFor(status: number): PlatformErrorKind {
  return status === 409 ? "conflict" : kindForHttpStatus(status);
}

/**
 * The custom / headless store adapter: a store on any stack runs a drop by accepting signed JSON
 * events at one endpoint (see events.ts for the contract, signature.ts for the signing).
 *
 * Every request is signed afresh (timestamp + HMAC-SHA256) and carries an `Idempotency-Key` that
 * is stable across retries: `stock:<write-back key>[:<part>]`, `order.create:<order id>`,
 * `order.cancel:<platform ref>`. Retrying is the resilience layer's job; this adapter makes one
 * attempt per call, within `timeoutMs`, and says through the PlatformError kind whether another
 * attempt can help.
 */
export class CustomStorePlatform implements Platform {
  readonly kind = "custom" as const;
  readonly maxBatch: number;

  private readonly endpoint: URL;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof globalThis.fetch;

  constructor(private readonly options: CustomStoreOptions) {
    this.endpoint = new URL(options.endpoint);
    if (this.endpoint.protocol !== "https:" && this.endpoint.protocol !== "http:")
      throw new Error(`custom store endpoint must be http(s): ${options.endpoint}`);
    if (!options.secret) throw new Error("custom store secret is required");
    this.maxBatch = options.maxBatch ?? 100;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new Error("custom store maxBatch must be a positive integer");
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  async readStock(refs: readonly string[]): Promise<StockLevel[]> {
    const unique = [...new Set(refs)];
    const levels: StockLevel[] = [];
    for (let start = 0; start < unique.length; start += this.maxBatch) {
      const url = new URL(this.endpoint);
      url.pathname = `${url.pathname.replace(/\/$/, "")}/stock`;
      url.search = new URLSearchParams({ refs: unique.slice(start, start + this.maxBatch).join(",") }).toString();
      const answer = await this.send("GET", url, url.search.slice(1), null);
      const items = (answer.body as { items?: unknown }).items;
      if (!Array.isArray(items)) throw this.invalidAnswer("stock answer has no items list");
      for (const item of items as unknown[]) {
        const { ref, available } = (item ?? {}) as { ref?: unknown; available?: unknown };
        if (typeof ref === "string" && typeof available === "number" && Number.isFinite(available)) levels.push({ ref, available });
      }
    }
    const wanted = new Set(unique);
    return levels.filter((level) => wanted.has(level.ref));
  }

  async writeStock(writes: readonly StockWrite[], idempotencyKey: string): Promise<void> {
    const latest = new Map<string, StockWrite>();
    for (const write of writes) {
      if (!Number.isSafeInteger(write.available)) {
        throw new PlatformError("rejected", `stock for ${write.ref} must be an integer, got ${write.available}`, { code: "holdfast_invalid_quantity" });
      }
      latest.set(write.ref, write);
    }
    const items = [...latest.values()].map((write) =>
      write.previous === undefined ? { ref: write.ref, available: write.available } : { ref: write.ref, available: write.available, previous: write.previous },
    );
    const parts = Math.ceil(items.length / this.maxBatch);
    for (let part = 0; part < parts; part += 1) {
      const id = parts === 1 ? `stock:${idempotencyKey}` : `stock:${idempotencyKey}:${part + 1}/${parts}`;
      await this.post({ id, type: "stock.updated", createdAt: this.isoNow(), data: { items: items.slice(part * this.maxBatch, (part + 1) * this.maxBatch) } });
    }
  }

  async createOrder(order: NewOrder): Promise<CreatedOrder> {
    if (order.lines.length === 0 || order.lines.some((line) => !Number.isSafeInteger(line.quantity) || line.quantity < 1)) {
      throw new PlatformError("rejected", "an order needs lines with positive integer quantities", { code: "holdfast_invalid_order" });
    }
    const data: OrderCreateEvent["data"] = { orderId: order.orderId, lines: order.lines, customer: order.customer };
    if (order.reserveUntil) data.reserveUntil = order.reserveUntil.toISOString();
    const answer = await this.post({ id: `order.create:${order.orderId}`, type: "order.create", createdAt: this.isoNow(), data });
    const { platformOrderRef, paymentUrl } = (answer.body ?? {}) as { platformOrderRef?: unknown; paymentUrl?: unknown };
    if (typeof platformOrderRef !== "string" || platformOrderRef === "") throw this.invalidAnswer("order.create answer has no platformOrderRef");
    return typeof paymentUrl === "string" && paymentUrl !== "" ? { platformOrderRef, paymentUrl } : { platformOrderRef };
  }

  async cancelOrder(platformOrderRef: string, reason: string): Promise<void> {
    await this.post({ id: `order.cancel:${platformOrderRef}`, type: "order.cancel", createdAt: this.isoNow(), data: { platformOrderRef, reason } });
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private post(event: CustomStoreEvent): Promise<Answer> {
    const body = JSON.stringify(event);
    return this.send("POST", this.endpoint, body, event.id);
  }

  private async send(method: "GET" | "POST", url: URL, payload: string, idempotencyKey: string | null): Promise<Answer> {
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": "Holdfast",
      ...customSignatureHeaders(this.options.secret, payload, this.clock.now()),
    };
    if (method === "POST") headers["content-type"] = "application/json";
    if (idempotencyKey !== null) headers[IDEMPOTENCY_KEY_HEADER] = idempotencyKey;

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    try {
      const response = await this.fetchImpl(url, {
        method,
        headers,
        body: method === "POST" ? payload : undefined,
        signal: controller.signal,
        redirect: "manual",
      });
      const text = await response.text();
      let body: unknown = null;
      if (text !== "") {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      if (response.status >= 200 && response.status < 300) {
        if (typeof body !== "object" || body === null) body = {};
        return { status: response.status, body };
      }
      throw this.httpError(response.status, body, response.headers.get("retry-after"));
    } catch (error) {
      if (error instanceof PlatformError) throw error;
      if (timedOut) throw new PlatformError("unavailable", `custom store did not answer within ${this.timeoutMs} ms`, { code: "holdfast_timeout" });
      const cause = (error as { cause?: { code?: unknown } }).cause;
      const code = typeof cause?.code === "string" ? cause.code : "network_error";
      throw new PlatformError("unavailable", `custom store unreachable: ${error instanceof Error ? error.message : String(error)}`, { code });
    } finally {
      clearTimeout(timer);
    }
  }

  private httpError(status: number, body: unknown, retryAfter: string | null): PlatformError {
    const parsed = errorBody(body);
    const code = parsed.code ?? `http_${status}`;
    if (status >= 300 && status < 400) {
      return new PlatformError("rejected", `custom store answered a redirect (HTTP ${status}); configure the final endpoint URL`, { status, code });
    }
    const kind = kindFor(status);
    const message = `custom store ${status} ${code}${parsed.message ? `: ${parsed.message}` : ""}`;
    if (kind === "unavailable" || kind === "throttled") this.logger.warn("custom store call failed", { status, code });
    return kind === "throttled"
      ? new PlatformError(kind, message, { status, code, retryAfterMs: retryAfterMs(retryAfter, this.clock.now()) })
      : new PlatformError(kind, message, { status, code });
  }

  private invalidAnswer(message: string): PlatformError {
    // The store did the work or not; the Idempotency-Key makes a later replay safe once it is fixed.
    return new PlatformError("rejected", `custom store: ${message}`, { code: "holdfast_invalid_response" });
  }
}
