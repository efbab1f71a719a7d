import http from "node:http";
import https from "node:https";

import { LatencyHistogram } from "../lib/histogram.ts";

/** The calls a shopper makes; each gets its own latency histogram and error count. */
export type CallKind = "join" | "status" | "hold" | "release" | "checkout" | "order";

export interface Answer {
  status: number;
  body: Record<string, unknown> | null;
  /** The error code of a non-2xx answer (`{"error":{"code"}}`), or a transport failure's name. */
  code: string | null;
  /** Retry-After in seconds, when the answer carried one. */
  retryAfter: number | null;
}

export interface CallStats {
  latency: LatencyHistogram;
  /** "201", "409 sold_out", "network ECONNRESET", ... */
  outcomes: Map<string, number>;
}

/**
 * JSON over HTTP with a bounded pool of keep-alive connections, as a fleet of browsers behind
 * a few load-balancer connections would look to the server. Every call is timed and its
 * outcome counted; transport failures become answers with status 0, never exceptions, so one
 * bad connection does not end a shopper.
 */
export class SurgeClient {
  readonly calls = new Map<CallKind, CallStats>();
  private readonly agent: http.Agent;
  private readonly base: URL;
  private readonly transport: typeof http | typeof https;

  constructor(url: string, connections: number) {
    this.base = new URL(url);
    this.transport = this.base.protocol === "https:" ? https : http;
    const AgentClass = this.base.protocol === "https:" ? https.Agent : http.Agent;
    this.agent = new AgentClass({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  request(kind: CallKind | null, method: string, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
    // Timed from the moment a connection takes the request: a browser has its own connection,
    // so time spent queued for one of this pool's sockets is the load generator's, not the server's.
    let started = process.hrtime.bigint();
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (payload !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(payload));
    }
    return new Promise<Answer>((resolve) => {
      const finish = (answer: Answer) => {
        if (kind !== null) this.record(kind, Number(process.hrtime.bigint() - started), answer);
        resolve(answer);
      };
      const req = this.transport.request(new URL(path, this.base), { method, headers, agent: this.agent, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (error) => finish({ status: 0, body: null, code: `network ${errorName(error)}`, retryAfter: null }));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: Record<string, unknown> | null = null;
          try {
            body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
          } catch {
            body = null;
          }
          const status = res.statusCode ?? 0;
          const error = body?.error as { code?: unknown } | undefined;
          const retryAfter = Number(res.headers["retry-after"]);
          finish({
            status,
            body,
            code: status >= 400 ? (typeof error?.code === "string" ? error.code : "no_code") : null,
            retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
          });
        });
      });
      req.on("socket", () => (started = process.hrtime.bigint()));
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (error) => finish({ status: 0, body: null, code: `network ${errorName(error)}`, retryAfter: null }));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private record(kind: CallKind, nanos: number, answer: Answer): void {
    let stats = this.calls.get(kind);
    if (stats === undefined) {
      stats = { latency: new LatencyHistogram(), outcomes: new Map() };
      this.calls.set(kind, stats);
    }
    stats.latency.recordNanos(nanos);
    const outcome = answer.status === 0 ? (answer.code ?? "network") : answer.code === null ? String(answer.status) : `${answer.status} ${answer.code}`;
    stats.outcomes.set(outcome, (stats.outcomes.get(outcome) ?? 0) + 1);
  }
}

function errorName(error: Error): string {
  return (error as NodeJS.ErrnoException).code ?? error.message;
}
