// Orders on real Redis, real BullMQ and a fresh, migrated SQLite file. Every harness has its
// own queue namespace (so parallel tests never share a queue) and unique sale ids.
import { randomBytes } from "node:crypto";

import { Cluster } from "ioredis";

import { HoldEngine, type Line } from "../../../app/core/inventory/index.ts";
import type { Logger } from "../../../app/core/logger.ts";
import {
  holdEngineInventory,
  OrderIntake,
  OrderLocks,
  OrderProcessor,
  OrderWorker,
  PlatformCallQueue,
  type BypassPolicy,
  type OrderEvent,
  type OrderRepository,
  type OrderWorkerOptions,
} from "../../../app/core/orders/index.ts";
import { DeadLetterQueue, HoldfastQueues, QUEUE_NAMES, type ReplicaAcks } from "../../../app/core/queues/index.ts";
import type { RedisClient } from "../../../app/core/redis.ts";
import { BatchedOrderRepository } from "../../../app/db/BatchedOrderRepository.ts";
import { createDb, type Db } from "../../../app/db/client.server.ts";
import { migrateDatabase } from "../../../app/db/migrate.server.ts";
import { freshDatabase, type TestDatabase } from "../../db/databases.ts";
import { signHoldToken, testKeyrings } from "../../support/holdTokens.ts";
import { connectTestRedis, uniqueSaleId } from "../../support/redis.ts";
import { TEST_ORDER_JOB_OPTIONS } from "./jobOptions.ts";

export { TEST_ORDER_JOB_OPTIONS };

export function uniqueNamespace(label: string): string {
  return `hf-t-${label}-${randomBytes(4).toString("hex")}`;
}

export interface SaleSetup {
  policy?: BypassPolicy;
  /** Creates a Store row and links the sale to it. */
  withStore?: boolean;
  items?: { itemId: string; allocation: number }[];
}

export interface TestSale {
  saleId: string;
  storeId: string | null;
}

export interface WorkerOverrides extends Partial<Omit<OrderWorkerOptions, "queues" | "processor" | "deadLetters">> {
  orders?: OrderRepository;
  lockTtlMs?: number;
}

export class OrdersHarness {
  readonly holds: HoldEngine;
  readonly queues: HoldfastQueues;
  readonly deadLetters: DeadLetterQueue;
  readonly intake: OrderIntake;
  readonly repository: BatchedOrderRepository;
  private readonly workers: OrderWorker[] = [];
  private eventCounter = 0;

  private constructor(
    readonly redis: RedisClient,
    readonly db: Db,
    readonly database: TestDatabase,
    readonly namespace: string,
    replicaAcks?: ReplicaAcks,
  ) {
    this.holds = new HoldEngine(redis);
    this.queues = new HoldfastQueues(redis, { namespace, replicaAcks, jobOptions: { [QUEUE_NAMES.orderEvents]: TEST_ORDER_JOB_OPTIONS } });
    this.deadLetters = new DeadLetterQueue(this.queues);
    this.intake = new OrderIntake(this.queues, this.deadLetters);
    this.repository = new BatchedOrderRepository(db);
  }

  /**
   * `database` reuses (and takes over) the database of an earlier harness, `namespace` its
   * queues: what a restarted process sees.
   */
  static async create(
    label: string,
    options: { redis?: RedisClient; namespace?: string; database?: TestDatabase; replicaAcks?: ReplicaAcks } = {},
  ): Promise<OrdersHarness> {
    let database = options.database;
    if (database === undefined) {
      database = await freshDatabase("sqlite");
      await migrateDatabase(database.url, () => undefined);
    }
    return new OrdersHarness(
      options.redis ?? connectTestRedis(),
      createDb(database.url),
      database,
      options.namespace ?? uniqueNamespace(label),
      options.replicaAcks,
    );
  }

  get orderQueue() {
    return this.queues.queue(QUEUE_NAMES.orderEvents);
  }

  async createSale(label: string, setup: SaleSetup = {}): Promise<TestSale> {
    const sale = await this.recordSale(uniqueSaleId(label), label, setup);
    await this.holds.defineSale(sale.saleId, { perCustomerLimit: 0, items: setup.items ?? [{ itemId: "sku", allocation: 10 }] });
    return sale;
  }

  /** The sale's SQL rows only, for a sale whose stock someone else defined (a storefront). */
  async recordSale(saleId: string, label: string, setup: Omit<SaleSetup, "items"> = {}): Promise<TestSale> {
    let storeId: string | null = null;
    if (setup.withStore) {
      storeId = (await this.db.store.create({ data: { platform: "shopify", domain: `${saleId}.myshopify.com`, name: saleId } })).id;
    }
    await this.db.sale.create({
      data: { id: saleId, storeId, name: label, state: "live", holdMinutes: 10, perCustomerLimit: 0, bypassPolicy: setup.policy ?? "flag" },
    });
    return { saleId, storeId };
  }

  async reserve(saleId: string, lines: Line[] = [{ itemId: "sku", quantity: 1 }], customerId = `c-${randomBytes(3).toString("hex")}`): Promise<string> {
    const result = await this.holds.reserve(saleId, { lines, customerId, ttlMs: 600_000, requestId: randomBytes(6).toString("hex") });
    if (result.outcome !== "reserved") throw new Error(`reserve failed: ${JSON.stringify(result)}`);
    return result.holdId;
  }

  /** An order event; one naming a hold carries that hold's signed token too, as the widget's lines do. */
  event(sale: TestSale, fields: Partial<OrderEvent> & Pick<OrderEvent, "platformOrderRef">): OrderEvent {
    this.eventCounter += 1;
    const tokens = fields.holdId ? { holdTokens: [signHoldToken(sale.saleId, fields.holdId)] } : {};
    return {
      ...tokens,
      eventId: `evt-${this.namespace}-${this.eventCounter}`,
      storeId: sale.storeId,
      saleId: sale.saleId,
      kind: "created",
      lines: [{ itemId: "sku", quantity: 1 }],
      occurredAt: Date.now(),
      ...fields,
    };
  }

  startWorker(overrides: WorkerOverrides = {}): OrderWorker {
    const { orders, lockTtlMs, ...options } = overrides;
    const worker = new OrderWorker({
      queues: this.queues,
      deadLetters: this.deadLetters,
      processor: new OrderProcessor({
        inventory: holdEngineInventory(this.holds, this.redis),
        orders: orders ?? this.repository,
        platformCalls: new PlatformCallQueue(this.queues),
        locks: new OrderLocks(this.redis, { ttlMs: lockTtlMs ?? 5_000, waitMs: 3_000 }),
        keyrings: testKeyrings,
        logger: options.logger ?? quietLogger,
      }),
      ...options,
    });
    worker.start();
    this.workers.push(worker);
    return worker;
  }

  /** Waits until the job reaches one of `states`; returns the state. */
  async waitForJob(jobId: string, states: string[] = ["completed"], timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let state = "";
    while (Date.now() < deadline) {
      state = await this.orderQueue.getJobState(jobId);
      if (states.includes(state)) return state;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`job ${jobId} is ${state}, not ${states.join("|")}, after ${timeoutMs} ms`);
  }

  async waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close(true)));
    await this.queues.close();
    // Every BullMQ key and dedup marker of this namespace: "{<namespace>:<queue>}...", on
    // every master of a Cluster, one slot (one queue) at a time.
    const nodes = this.redis instanceof Cluster ? this.redis.nodes("master") : [this.redis];
    for (const node of nodes) {
      const bySlot = new Map<string, string[]>();
      for (const key of await node.keys(`{${this.namespace}:*`)) {
        const tag = key.slice(0, key.indexOf("}") + 1);
        bySlot.set(tag, [...(bySlot.get(tag) ?? []), key]);
      }
      for (const keys of bySlot.values()) await this.redis.unlink(...keys);
    }
    await this.redis.quit();
    await this.db.$disconnect();
    await this.database.drop();
  }

  /** Drops the connections (as a crashed process would), leaving Redis and the database as they are. */
  async abandon(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close(true)));
    this.redis.disconnect();
    await this.queues.close().catch(() => undefined);
    await this.db.$disconnect();
  }
}

/** Collects what the processor logs, for assertions on the merchant-facing warnings. */
export function recordingLogger(): Logger & { lines: { level: string; message: string; fields: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const push =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) =>
      void lines.push({ level, message, fields });
  return { lines, info: push("info"), warn: push("warn"), error: push("error") };
}

export const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
