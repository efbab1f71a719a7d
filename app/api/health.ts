import type { ServerResponse } from "node:http";

import { sendJson } from "./respond.ts";

/** A dependency the service needs before it can take traffic. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

const CHECK_TIMEOUT_MS = 1_000;

/** Liveness: the process runs its event loop. Nothing external, so a Redis outage never restarts pods. */
export function handleHealthz(res: ServerResponse): void {
  sendJson(res, 200, { status: "ok" });
}

/** Readiness: every dependency answers within a second; 503 names the ones that did not. `role` says which process answers (HOLDFAST_ROLE). */
export async function handleReadyz(res: ServerResponse, checks: readonly ReadinessCheck[], role?: string): Promise<void> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      });
      try {
        await Promise.race([check(), timeout]);
        return [name, { ok: true }] as const;
      } catch (error) {
        return [name, { ok: false, error: error instanceof Error ? error.message : String(error) }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const ready = results.every(([, result]) => result.ok);
  sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "unavailable", ...(role ? { role } : {}), checks: Object.fromEntries(results) });
}
