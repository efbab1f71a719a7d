import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";

import { systemClock, type Clock } from "../clock.ts";
import type { Logger } from "../logger.ts";
import { defineLuaCommands, type LuaCommand } from "../luaScripts.ts";
import type { RedisClient } from "../redis.ts";
import type { RoomState } from "./types.ts";
import type { AdmitResult, WaitingRoom } from "./WaitingRoom.ts";
import { controllerLeaderKey } from "../keys.ts";

const LUA_DIRECTORY = fileURLToPath(new URL("./lua/", import.meta.url));

export interface AdmissionControllerOptions {
  clock?: Clock;
  tickMs?: number;
  leaseMs?: number;
  logger: Logger;
  /**
   * Ends a sale's expired holds before each admission step. Admission counts the units left,
   * so units stuck in lapsed holds would stop the line while nobody is reserving.
   */
  expireHolds?: (saleId: string) => Promise<unknown>;
  /** Told about every scheduled state change, so the durable sale record can follow. */
  onScheduledTransition?: (saleId: string, state: RoomState) => Promise<void> | void;
}

/**
 * The worker loop behind the waiting room. One controller leads at a time (a Redis lease);
 * each tick it applies the schedules (pre-queue, start, end) and runs one admission step
 * per active room.
 */
export class AdmissionController {
  readonly id = randomUUID();
  private readonly commands: Record<"lead" | "resign", LuaCommand>;
  private readonly clock: Clock;
  private readonly tickMs: number;
  private readonly leaseMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private leading = false;

  constructor(
    redis: RedisClient,
    private readonly room: WaitingRoom,
    private readonly options: AdmissionControllerOptions,
  ) {
    this.commands = defineLuaCommands(redis, LUA_DIRECTORY, { lead: { numberOfKeys: 1 }, resign: { numberOfKeys: 1 } }, "holdfastController_");
    this.clock = options.clock ?? systemClock;
    this.tickMs = options.tickMs ?? 500;
    this.leaseMs = options.leaseMs ?? Math.max(3 * this.tickMs, 2_000);
  }

  private get leaderKey(): string {
    return controllerLeaderKey(this.room.registryKey);
  }

  start(): void {
    if (this.timer) return;
    const loop = () => {
      this.running = this.tick()
        .then(() => undefined)
        .catch((error: unknown) => this.options.logger.error("admission tick failed", { error }))
        .finally(() => {
          this.running = null;
          if (this.timer) this.timer = setTimeout(loop, this.tickMs);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    if (this.leading) await this.commands.resign([this.leaderKey], [this.id]);
    this.leading = false;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** One pass over every active room; does nothing unless this controller holds the lease. */
  async tick(): Promise<Map<string, AdmitResult>> {
    const results = new Map<string, AdmitResult>();
    const wasLeading = this.leading;
    this.leading = (await this.commands.lead([this.leaderKey], [this.id, this.leaseMs])) === 1;
    if (this.leading !== wasLeading)
      this.options.logger.info(this.leading ? "admission controller leads" : "admission controller follows", { controller: this.id });
    if (!this.leading) return results;
    for (const saleId of await this.room.activeRooms()) {
      try {
        if (await this.applySchedule(saleId)) {
          await this.options.expireHolds?.(saleId);
          results.set(saleId, await this.room.admit(saleId));
        }
      } catch (error) {
        this.options.logger.error("admission failed for a sale", { saleId, error });
      }
    }
    return results;
  }

  /** Applies the room's schedule; false when the room is over and needs no admission. */
  private async applySchedule(saleId: string): Promise<boolean> {
    const view = await this.room.view(saleId);
    if (!view || view.state === "ended") {
      await this.room.forget(saleId);
      return false;
    }
    const now = this.clock.now();
    let target: "prequeue" | "live" | "ended" | null = null;
    if (view.endsAt !== null && view.endsAt <= now) target = "ended";
    else if (view.startsAt !== null && view.startsAt <= now && (view.state === "scheduled" || view.state === "prequeue")) target = "live";
    else if (view.prequeueAt !== null && view.prequeueAt <= now && view.state === "scheduled") target = "prequeue";
    if (!target) return true;
    const result = await this.room.transition(saleId, target);
    if (result.outcome === "ok") {
      this.options.logger.info("scheduled sale state change", { saleId, state: target });
      await this.options.onScheduledTransition?.(saleId, target);
    }
    return target !== "ended";
  }
}
