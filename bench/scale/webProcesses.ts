/**
 * BENCH_WEB_PROCESSES app servers (bench/storefront/server.ts, each the real composition root)
 * behind one port. Node 20's `net` has no SO_REUSEPORT, so this is node:cluster: this primary
 * owns the listening socket and hands each new connection to the next worker (round-robin).
 * Every worker prints its own {"type":"ready","port":N} (the same N). SIGTERM, SIGINT or the
 * parent closing stdin stops the workers, then this process.
 */
import cluster from "node:cluster";
import { fileURLToPath } from "node:url";

const processes = Number(process.env.BENCH_WEB_PROCESSES ?? "1");
if (!Number.isInteger(processes) || processes < 1 || processes > 16) throw new Error(`BENCH_WEB_PROCESSES "${process.env.BENCH_WEB_PROCESSES}" must be 1-16`);

cluster.schedulingPolicy = cluster.SCHED_RR;
cluster.setupPrimary({ exec: fileURLToPath(new URL("../storefront/server.ts", import.meta.url)), execArgv: process.execArgv });
for (let i = 0; i < processes; i++) cluster.fork();

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
  setTimeout(() => process.exit(0), 5_000).unref();
}
cluster.on("exit", () => {
  if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  // One worker gone by itself: the row would measure fewer processes than it says.
  stop();
});
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop).resume();
