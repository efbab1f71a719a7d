/**
 * The app under test, in its own process: buildApp() (the real composition root) listening
 * on a free loopback port, which it reports on stdout as {"type":"ready","port":N}.
 *
 * Env (set by bench/storefront.ts): BENCH_REDIS_URL (or BENCH_REDIS_CLUSTER_NODES: host:port seeds), BENCH_DATABASE_URL (an already migrated
 * SQLite file), HOLDFAST_ENCRYPTION_KEY, optionally BENCH_PROFILE_FILE. Rate limits are lifted
 * here (see LIFTED_RATE_LIMITS): the load comes from one address. SIGTERM closes the app and
 * exits 0.
 *
 * With BENCH_PROFILE_FILE, SIGUSR2 starts the V8 CPU profiler (in this process, through
 * node:inspector) and the next SIGUSR2 stops it and writes the profile there, so the profile
 * covers exactly the timed window, not start-up or warm-up.
 *
 * On "window-start"/"window-end" lines on stdin it reports its own view of the timed window
 * (serverWindow.ts).
 *
 * With BENCH_MEMORY_REPORT_MS, it reports its RSS and V8 heap in use that often (bench/soak.ts).
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import type { AddressInfo } from "node:net";

import { buildApp } from "../../app/composition/web.server.ts";
import { jsonLogger } from "../../app/core/logger.ts";
import { redisConfigFromEnv } from "../../app/core/redis.ts";
import { LIFTED_RATE_LIMITS, type ChildMessage } from "./protocol.ts";
import { reportServerWindow } from "./serverWindow.ts";

function send(message: ChildMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function required(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`${name} is not set (this process is started by bench/storefront.ts)`);
  return value;
}

let profiler: Session | null = null;

async function toggleProfiler(file: string): Promise<void> {
  if (!profiler) {
    const session = new Session();
    session.connect();
    profiler = session;
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 250 });
    await session.post("Profiler.start");
    send({ type: "profile-started" });
    return;
  }
  const session = profiler;
  profiler = null;
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();
  writeFileSync(file, JSON.stringify(profile));
  send({ type: "profile-written", file });
}

async function main(): Promise<void> {
  const profileFile = process.env.BENCH_PROFILE_FILE?.trim();
  if (profileFile) {
    process.on("SIGUSR2", () => {
      toggleProfiler(profileFile).catch((error: unknown) => send({ type: "fatal", message: `profiler: ${String(error)}` }));
    });
  }

  const app = buildApp({
    redis: process.env.BENCH_REDIS_CLUSTER_NODES?.trim()
      ? redisConfigFromEnv({ REDIS_CLUSTER_NODES: process.env.BENCH_REDIS_CLUSTER_NODES })
      : { mode: "standalone", url: required("BENCH_REDIS_URL") },
    databaseUrl: required("BENCH_DATABASE_URL"),
    // stdout carries the protocol; log lines go to stderr, where the parent keeps the last ones.
    logger: jsonLogger((line) => process.stderr.write(line)),
    env: { ...process.env, ...LIFTED_RATE_LIMITS },
  });
  if (app.masterKey.source !== "env") throw new Error("HOLDFAST_ENCRYPTION_KEY was not used; the bench must not write a key file");

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(0), 3_000);
    app.server.closeAllConnections();
    void app.close().finally(() => {
      clearTimeout(timer);
      process.exit(0);
    });
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // The parent going away closes our stdin: do not outlive it.
  process.stdin.on("end", stop).resume();

  reportServerWindow(app.server, send);
  await new Promise<void>((resolve, reject) => {
    app.server.once("error", reject);
    app.server.listen(0, "127.0.0.1", resolve);
  });
  send({ type: "ready", port: (app.server.address() as AddressInfo).port, pid: process.pid });
  const memoryReportMs = Number(process.env.BENCH_MEMORY_REPORT_MS ?? "0");
  if (memoryReportMs > 0) {
    const report = () => send({ type: "memory", rssBytes: process.memoryUsage.rss(), heapUsedBytes: process.memoryUsage().heapUsed });
    setInterval(report, memoryReportMs).unref();
    report();
  }
}

main().catch((error: unknown) => {
  send({ type: "fatal", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
