import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { IDEMPOTENCY_KEY_HEADER, verifyCustomSignature } from "../../../app/platforms/custom/index.ts";

/**
 * A payment gateway bridge as the HTTP provider's contract describes it: verifies the HMAC
 * signature over the raw body, answers a repeated Idempotency-Key with the first answer
 * (header `Idempotent-Replayed: true`), declines `payment.token === "decline"`, and can be
 * told to fail the next calls (5xx, 429). It counts charges per order, which is what the
 * "never charged twice" tests look at.
 */
export class PaymentStandIn {
  /** Money actually moved: order id -> captured amount (minor units); refunds remove it. */
  readonly charges = new Map<string, number>();
  readonly refunds = new Set<string>();
  /** Every request that reached the gateway, replays included. */
  readonly requests: { path: string; idempotencyKey: string | null; signature: boolean; status: number }[] = [];
  private readonly answers = new Map<string, { status: number; body: unknown }>();
  private readonly faults: { status: number; remaining: number }[] = [];
  private server: Server | null = null;
  private base = "";

  constructor(readonly secret: string) {}

  get endpoint(): string {
    return `${this.base}/gateway`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  fail(status: number, times = 1): void {
    this.faults.push({ status, remaining: times });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const raw = Buffer.concat(chunks);
    const key = typeof req.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()] === "string" ? (req.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()] as string) : null;
    const signature = verifyCustomSignature(raw, req.headers, this.secret, Date.now()).ok;
    const record = { path: req.url ?? "", idempotencyKey: key, signature, status: 0 };
    this.requests.push(record);
    const fault = this.faults.find((candidate) => candidate.remaining > 0);
    let answer: { status: number; body: unknown };
    let replayed = false;
    if (fault) {
      fault.remaining -= 1;
      answer = { status: fault.status, body: { error: { code: "injected", message: "Injected failure." } } };
    } else if (!signature) {
      answer = { status: 401, body: { error: { code: "bad_signature", message: "Signature check failed." } } };
    } else if (!key) {
      answer = { status: 400, body: { error: { code: "idempotency_key_required", message: "Idempotency-Key is required." } } };
    } else if (this.answers.has(key)) {
      answer = this.answers.get(key) as { status: number; body: unknown };
      replayed = true;
    } else {
      answer = this.apply(req.url ?? "", JSON.parse(raw.toString("utf8")) as Record<string, unknown>);
      if (answer.status < 500) this.answers.set(key, answer);
    }
    record.status = answer.status;
    res.writeHead(answer.status, { "content-type": "application/json", ...(replayed ? { "idempotent-replayed": "true" } : {}) });
    res.end(JSON.stringify(answer.body));
  }

  private apply(path: string, body: Record<string, unknown>): { status: number; body: unknown } {
    const orderId = String(body.orderId);
    if (path === "/gateway/captures") {
      const payment = body.payment as { token?: unknown } | undefined;
      if (payment?.token === "decline") return { status: 402, body: { error: { code: "card_declined", message: "The card was declined." } } };
      const amount = (body.amount as { amountMinor: number }).amountMinor;
      this.charges.set(orderId, (this.charges.get(orderId) ?? 0) + amount);
      return { status: 201, body: { paymentRef: `pay_${orderId}` } };
    }
    if (path === "/gateway/refunds") {
      if (!this.charges.has(orderId)) return { status: 404, body: { error: { code: "not_found", message: "Nothing captured." } } };
      this.charges.delete(orderId);
      this.refunds.add(orderId);
      return { status: 200, body: { refunded: true } };
    }
    return { status: 404, body: { error: { code: "no_route", message: path } } };
  }
}
