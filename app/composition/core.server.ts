// The one place that builds the core's parts (config, Redis, SQL, keys, engines, queue
// producers) for every process: the web server, the worker, the CLI and the benchmarks.
// What each process adds on top (HTTP, queue consumers, commands) is wired in its own
// module in this folder, always from these parts.
import { systemClock, type Clock } from "../core/clock.ts";
import { HoldEngine } from "../core/inventory/index.ts";
import type { Logger } from "../core/logger.ts";
import { HoldfastQueues, queueNamespaceFromEnv, replicaAcksFromEnv } from "../core/queues/index.ts";
import { createRedis, HOT_PATH_CONNECTION, type RedisClient, type RedisConfig } from "../core/redis.ts";
import { RedisCircuit } from "../core/resilience/index.ts";
import { SaleService } from "../core/sales/index.ts";
import { loadMasterKey, type LoadedMasterKey } from "../core/secrets/index.ts";
import { SaleLifecycle } from "../core/waiting-room/lifecycle.ts";
import { joinBatchOptionsFromEnv, WaitingRoom } from "../core/waiting-room/index.ts";
import { createDb, type Db } from "../db/client.server.ts";
import { PrismaSaleRepository } from "../db/PrismaSaleRepository.ts";
import { DEV_MASTER_KEY_FILE } from "./devFiles.ts";

export interface CoreOptions {
  redis: RedisConfig;
  databaseUrl: string;
  logger: Logger;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** BullMQ namespace; default HOLDFAST_QUEUE_NAMESPACE, then `hf`. */
  queueNamespace?: string;
  /** The set of rooms the admission controller and /metrics look after; tests keep theirs apart. */
  roomRegistryKey?: string;
}

export interface CoreParts {
  env: NodeJS.ProcessEnv;
  clock: Clock;
  logger: Logger;
  redis: RedisClient;
  db: Db;
  masterKey: LoadedMasterKey;
  holds: HoldEngine;
  room: WaitingRoom;
  /** Queue producers (checkout, sale lifecycle, order intake); consumers are the worker's. */
  queues: HoldfastQueues;
  sales: SaleService;
}

export interface Core extends CoreParts {
  /** Closes the queue producers, Redis and SQL. */
  close(): Promise<void>;
}

export function buildCore(options: CoreOptions): Core {
  const env = options.env ?? process.env;
  const clock = systemClock;
  const redis = createRedis(options.redis);
  redis.on("error", (error: Error) => options.logger.error("redis connection error", { error: error.message }));
  const db = createDb(options.databaseUrl);
  const masterKey = loadMasterKey(env, { keyFile: DEV_MASTER_KEY_FILE });
  const holds = new HoldEngine(redis, { clock });
  const room = new WaitingRoom(redis, { clock, ...(options.roomRegistryKey === undefined ? {} : { registryKey: options.roomRegistryKey }) });
  const queues = new HoldfastQueues(redis, { namespace: options.queueNamespace ?? queueNamespaceFromEnv(env), replicaAcks: replicaAcksFromEnv(env) });
  const sales = new SaleService({ repository: new PrismaSaleRepository(db), holds, room, clock, lifecycle: new SaleLifecycle(queues, { clock }) });
  return {
    env,
    clock,
    logger: options.logger,
    redis,
    db,
    masterKey,
    holds,
    room,
    queues,
    sales,
    async close() {
      await queues.close();
      await redis.quit().catch(() => undefined);
      await db.$disconnect();
    },
  };
}

export interface ShopperParts {
  /** A connection of its own: a command waits a second at most (HOT_PATH_CONNECTION). */
  redis: RedisClient;
  /** Around that connection: refuses at once while Redis does not answer. */
  circuit: RedisCircuit;
  holds: HoldEngine;
  room: WaitingRoom;
  /** Producers on the shoppers' connection (the checkout's enqueue). */
  queues: HoldfastQueues;
  close(): Promise<void>;
}

/**
 * The storefront's own Redis parts (web process only): shoppers never wait on the core's
 * connection, whose commands may retry through reconnections for seconds.
 */
export function buildShopperParts(core: Pick<CoreParts, "clock" | "queues" | "env">, config: RedisConfig): ShopperParts {
  const redis = createRedis(config, HOT_PATH_CONNECTION);
  redis.on("error", () => undefined); // the core connection logs the same outage
  const circuit = new RedisCircuit(() => redis.ping());
  const queues = new HoldfastQueues(redis, { namespace: core.queues.namespace, replicaAcks: core.queues.replicaAcks });
  return {
    redis,
    circuit,
    holds: new HoldEngine(redis, { clock: core.clock }),
    // Shoppers' joins share one Redis call per batch; HOLDFAST_JOIN_MAX_WAIT_MS bounds their wait.
    room: new WaitingRoom(redis, { clock: core.clock, joinBatch: joinBatchOptionsFromEnv(core.env) }),
    queues,
    async close() {
      circuit.stop();
      await queues.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
