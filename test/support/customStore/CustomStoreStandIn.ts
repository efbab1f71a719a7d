import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import type { OrderLine } from "../../../app/core/platform/index.ts";
// Exactly what a merchant's code imports from Holdfast.
import { IDEMPOTENCY_KEY_HEADER, verifyCustomSignature, type CustomSignatureCheck, type CustomStoreEvent } from "../../../app/platforms/custom/index.ts";
import { Stalls } from "../stalls.ts";

/**
 * A merchant's own endpoint, as a store on any stack would write it with Holdfast's contract:
 * verifies every request with `verifyCustomSignature` (raw body for POST, raw query for GET),
 * answers a repeated `Idempotency-Key` with the first answer, keeps stock and orders in memory.
 * It can be told to fail (status, stall, answer lost after the work is done) and records calls.
 */

export interface CustomStoreStandInOptions {
  secret: string | string[];
  stock?: Record<string, number>;
  toleranceSeconds?: number;
  /** Endpoint path; default "/holdfast/events". */
  path?: string;
  clock?: { now(): number };
}

export interface MerchantOrder {
  platformOrderRef: string;
  orderId: string;
  lines: OrderLine[];
  customer: unknown;
  status: "open" | "cancelled";
  cancelReason?: string;
}

export interface Delivery {
  method: string;
  path: string;
  idempotencyKey: string | null;
  signature: CustomSignatureCheck["ok"] | Exclude<CustomSignatureCheck, { ok: true }>["reason"];
  /** 0 while in flight, -1 when the answer was dropped. */
  status: number;
  replayed: boolean;
}

export type MerchantFault = { status: number; code?: string; retryAfter?: string } | { stallMs: number } | { loseAnswer: true };

interface Answer {
  status: number;
  body: unknown;
}

export class CustomStoreStandIn {
  readonly stock = new Map<string, number>();
  readonly orders = new Map<string, MerchantOrder>();
  /** Events applied (first deliveries only). */
  readonly events: CustomStoreEvent[] = [];
  readonly deliveries: Delivery[] = [];

  private readonly answers = new Map<string, Answer>();
  private readonly faults: Array<{ fault: MerchantFault; remaining: number }> = [];
  private readonly stalls = new Stalls();
  private readonly path: string;
  private readonly clock: { now(): number };
  private server: Server | null = null;
  private base = "";
  private nextOrder = 1;

  constructor(private readonly options: CustomStoreStandInOptions) {
    for (const [ref, available] of Object.entries(options.stock ?? {})) this.stock.set(ref, available);
    this.path = options.path ?? "/holdfast/events";
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  /** What to configure as the store's endpoint. */
  get endpoint(): string {
    return `${this.base}${this.path}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.stalls.releaseAll();
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  fail(fault: MerchantFault, times = 1): void {
    this.faults.push({ fault, remaining: times });
  }

  private takeFault(): MerchantFault | null {
    const rule = this.faults.find((candidate) => candidate.remaining > 0);
    if (!rule) return null;
    rule.remaining -= 1;
    return rule.fault;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const target = req.url ?? "/";
    const queryAt = target.indexOf("?");
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    const rawQuery = queryAt === -1 ? "" : target.slice(queryAt + 1);
    const method = (req.method ?? "GET").toUpperCase();
    const idempotencyKey = headerOf(req, IDEMPOTENCY_KEY_HEADER);
    const delivery: Delivery = { method, path, idempotencyKey, signature: false, status: 0, replayed: false };
    this.deliveries.push(delivery);

    let loseAnswer = false;
    const fault = this.takeFault();
    if (fault && "stallMs" in fault) {
      await this.stalls.wait(fault.stallMs);
      if (!this.server) return;
    } else if (fault && "loseAnswer" in fault) {
      loseAnswer = true;
    } else if (fault) {
      delivery.status = fault.status;
      send(res, { status: fault.status, body: { error: { code: fault.code ?? "injected", message: "Injected failure." } } }, fault.retryAfter);
      return;
    }

    // Verify before anything else, over the exact bytes received.
    const check = verifyCustomSignature(method === "GET" ? rawQuery : raw, req.headers, this.options.secret, this.clock.now(), this.options.toleranceSeconds);
    delivery.signature = check.ok ? true : check.reason;
    let answer: Answer;
    if (!check.ok) {
      answer = { status: 401, body: { error: { code: check.reason, message: "Signature check failed." } } };
    } else if (method === "GET" && path === `${this.path}/stock`) {
      answer = this.readStock(new URLSearchParams(rawQuery).get("refs") ?? "");
    } else if (method === "POST" && path === this.path) {
      const replay = idempotencyKey ? this.answers.get(idempotencyKey) : undefined;
      if (replay) {
        delivery.replayed = true;
        answer = replay;
      } else {
        answer = this.receive(raw, idempotencyKey);
        // Remember final answers only: a failure may be retried with the same key.
        if (idempotencyKey && answer.status < 500) this.answers.set(idempotencyKey, answer);
      }
    } else {
      answer = { status: 404, body: { error: { code: "no_route", message: `${method} ${path}` } } };
    }

    if (loseAnswer) {
      delivery.status = -1;
      req.socket.destroy();
      return;
    }
    delivery.status = answer.status;
    send(res, answer);
  }

  private readStock(refs: string): Answer {
    const items = refs
      .split(",")
      .filter((ref) => this.stock.has(ref))
      .map((ref) => ({ ref, available: this.stock.get(ref) ?? 0 }));
    return { status: 200, body: { items } };
  }

  private receive(raw: Buffer, idempotencyKey: string | null): Answer {
    if (!idempotencyKey) return { status: 400, body: { error: { code: "missing_idempotency_key", message: "Idempotency-Key is required." } } };
    let event: CustomStoreEvent;
    try {
      event = JSON.parse(raw.toString("utf8")) as CustomStoreEvent;
    } catch {
      return { status: 400, body: { error: { code: "invalid_json", message: "Body is not JSON." } } };
    }
    switch (event.type) {
      case "stock.updated": {
        const items = Array.isArray(event.data?.items) ? event.data.items : null;
        if (!items || items.some((item) => typeof item.ref !== "string" || !Number.isInteger(item.available))) {
          return { status: 422, body: { error: { code: "invalid_items", message: "items must be {ref, available: integer}." } } };
        }
        for (const item of items) this.stock.set(item.ref, item.available);
        this.events.push(event);
        return { status: 200, body: { applied: items.length } };
      }
      case "order.create": {
        const unknown = (event.data?.lines ?? []).filter((line) => !this.stock.has(line.ref));
        if (!event.data?.orderId || event.data.lines.length === 0 || unknown.length > 0) {
          return { status: 422, body: { error: { code: "unknown_ref", message: `Unknown refs: ${unknown.map((line) => line.ref).join(", ")}` } } };
        }
        const platformOrderRef = `co_${this.nextOrder++}`;
        this.orders.set(platformOrderRef, {
          platformOrderRef,
          orderId: event.data.orderId,
          lines: event.data.lines,
          customer: event.data.customer,
          status: "open",
        });
        this.events.push(event);
        return { status: 201, body: { platformOrderRef, paymentUrl: `${this.base}/pay/${platformOrderRef}` } };
      }
      case "order.cancel": {
        const order = this.orders.get(event.data?.platformOrderRef);
        if (!order) return { status: 404, body: { error: { code: "order_not_found", message: "No such order." } } };
        order.status = "cancelled";
        order.cancelReason = event.data.reason;
        this.events.push(event);
        return { status: 200, body: { status: "cancelled" } };
      }
      default:
        return { status: 400, body: { error: { code: "unknown_event", message: "Unknown event type." } } };
    }
  }
}

export async function startCustomStore(options: CustomStoreStandInOptions): Promise<CustomStoreStandIn> {
  return new CustomStoreStandIn(options).start();
}

function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name.toLowerCase()];
  return typeof value === "string" ? value : (value?.[0] ?? null);
}

function send(res: ServerResponse, answer: Answer, retryAfter?: string): void {
  const body = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...(retryAfter ? { "retry-after": retryAfter } : {}),
  });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
