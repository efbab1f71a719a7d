/**
 * How every long-running entry point stops: on SIGINT/SIGTERM it runs `stop` (let jobs in
 * flight finish, close servers and connections) and exits 0. Stopping waits on Redis, SQL
 * and BullMQ, which can hang when one of them is gone (a dead Redis never answers a close),
 * so after `deadlineMs` the process exits 1 anyway, saying so; a second signal exits at once.
 * Orchestrators send SIGKILL after their own grace period (Kubernetes: 30 s), so the
 * deadline stays well under it.
 */
export const STOP_DEADLINE_MS = 8_000;

export function stopOnSignals(stop: () => Promise<void>, say: (line: string) => void, deadlineMs = STOP_DEADLINE_MS): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      say(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    say(`${signal}: shutting down`);
    const deadline = setTimeout(() => {
      say(`still stopping after ${deadlineMs / 1_000} s (a dependency does not answer): exiting without waiting further`);
      process.exit(1);
    }, deadlineMs);
    deadline.unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        say(`stopping failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}
