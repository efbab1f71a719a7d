import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Redis } from "ioredis";

import { describeRedis, type RedisConfig } from "../core/redis.ts";

/**
 * `npm start` must work on a fresh machine with no configuration: when REDIS_URL is not set,
 * nothing answers at the default URL and `redis-server` is installed, run a private one for
 * the life of the process. A Redis the operator named (REDIS_URL, REDIS_CLUSTER_NODES) is
 * never swapped: a sale run on a throwaway Redis would lose its stock and holds at exit.
 */
export interface RedisProvision {
  config: RedisConfig;
  /** Set when a private server was started; stops it and removes its directory. */
  stop?: () => void;
}

export class RedisUnavailableError extends Error {
  override readonly name = "RedisUnavailableError";
}

/** True when a Redis at `url` answers PING (a server still loading its AOF does not). */
export async function redisAnswers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function redisServerInstalled(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

export interface ProvisionOptions {
  /** True when the operator set REDIS_URL: then it is used or the start fails, never replaced. */
  explicit: boolean;
}

export async function provisionRedis(config: RedisConfig, options: ProvisionOptions): Promise<RedisProvision> {
  if (config.mode === "cluster" || (await redisAnswers(config.url))) return { config };
  if (options.explicit) {
    throw new RedisUnavailableError(
      `No Redis answers at REDIS_URL (${describeRedis(config)}): start that Redis or correct REDIS_URL; unset it to use a local one (npm start starts a private redis-server when none runs).`,
    );
  }
  if (!redisServerInstalled()) {
    throw new RedisUnavailableError(
      `No Redis answers at ${describeRedis(config)}: start one (e.g. \`apt-get install redis-server\`, then \`redis-server\`) or set REDIS_URL.`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "holdfast-redis-"));
  const port = await freePort();
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  const stop = () => {
    process.off("exit", stop);
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  // Also on crashes and process.exit(); only a SIGKILL of this process leaves it behind.
  process.on("exit", stop);
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await redisAnswers(url)) return { config: { mode: "standalone", url }, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stop();
  throw new RedisUnavailableError(`A private redis-server was started on port ${port} but did not answer within 5 s.`);
}
