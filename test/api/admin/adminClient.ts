// A real HTTP server with the admin routes over a SaleService on real Redis and SQLite, and
// a small client for it.
import { request } from "node:http";
import type { AddressInfo } from "node:net";

import { adminSaleRoutes } from "../../../app/api/admin/index.ts";
import type { Clock } from "../../../app/core/clock.ts";
import { silentLogger } from "../../../app/core/logger.ts";
import { createHttpServer } from "../../../app/server.ts";
import { salesHarness, type SalesHarness } from "../../core/sales/harness.ts";

export const TOKEN = "test-admin-token-0123456789abcdef";

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

export interface AdminApi {
  base: string;
  harness: SalesHarness;
  /** JSON in, JSON out, with the admin token unless `token` says otherwise (null: none). */
  call(method: string, path: string, body?: unknown, options?: { token?: string | null; headers?: Record<string, string>; raw?: string }): Promise<Answer>;
  close(): Promise<void>;
}

export async function startAdminApi(clock: Clock): Promise<AdminApi> {
  const harness = await salesHarness(clock);
  const server = createHttpServer({ routes: adminSaleRoutes({ service: harness.service, adminToken: TOKEN }), readiness: [], logger: silentLogger });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    harness,
    async call(method, path, body, options = {}) {
      const token = options.token === undefined ? TOKEN : options.token;
      const headers: Record<string, string> = { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...options.headers };
      const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
      if (payload !== undefined) headers["content-type"] ??= "application/json";
      const res = await fetch(`${base}${path}`, { method, headers, body: payload });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text === "" ? {} : (JSON.parse(text) as Answer["body"]) };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await harness.close();
    },
  };
}

/**
 * Sends a body larger than the limit without declaring its length (chunked), so the server
 * has to count; resolves with the answer even though the server stops reading.
 */
export function sendOversized(base: string, path: string, bytes: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    // The server closes the connection after its 413; a write after that may fail.
    req.on("error", (error) => (req.writableEnded ? undefined : reject(error)));
    const chunk = `{"name":"${"x".repeat(1024)}`;
    for (let sent = 0; sent < bytes; sent += chunk.length) req.write(chunk);
    req.end();
  });
}
