import { spawn, type ChildProcess } from "node:child_process";
import { tmpdir } from "node:os";

import { Redis } from "ioredis";

import { sleep } from "./closedLoop.ts";
import { freePort } from "../../app/composition/localRedis.server.ts";

export interface PrivateRedis {
  url: string;
  host: string;
  port: number;
  /** The started process (the launcher's, when there is one). */
  pid: number;
  /** Stops the server started here (by its pid) and waits for it to exit. */
  stop(): Promise<void>;
}

export interface PrivateRedisOptions {
  /** A command that runs the server, e.g. valgrind with its options (bench/reserveCost.ts). */
  launcher?: readonly string[];
  /** Where the server (and its launcher) may write files; default the system's temporary folder. */
  directory?: string;
  /** How long the server may take to answer; default 5 s (a launcher like valgrind needs more). */
  startTimeoutMs?: number;
}

/**
 * Starts a throw-away redis-server on a free loopback port (no persistence), so that
 * INFO commandstats and CPU figures contain this benchmark's commands only.
 */
export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const server = ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const [command, ...args] = [...(options.launcher ?? []), ...server, "--dir", options.directory ?? tmpdir(), "--daemonize", "no", "--loglevel", "warning"];
  const child: ChildProcess = spawn(command!, args, { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await Promise.race([exited, sleep(5_000)]);
  };
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => undefined); // refused while the server starts; retried below
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await probe.connect();
        await probe.ping();
        break;
      } catch (error) {
        if (attempt >= (options.startTimeoutMs ?? 5_000) / 100 || child.exitCode !== null) throw error;
        await sleep(100);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    probe.disconnect();
  }
  return { url, host: "127.0.0.1", port, pid: child.pid ?? 0, stop };
}
