import { systemClock, type Clock } from "../clock.ts";
import type { HoldEngine } from "../inventory/index.ts";
import { assertId } from "../keys.ts";
import type { RoomSettings, RoomState, WaitingRoom } from "../waiting-room/index.ts";
import { applyAllocations } from "./allocations.ts";
import { SaleNotFoundError, saleStateMissing } from "./errors.ts";
import { newSaleConfig } from "./newSale.ts";
import { planPatch } from "./patch.ts";
import type { SaleRepository } from "./SaleRepository.ts";
import { runTransition } from "./transitions.ts";
import type { NewSaleInput, Sale, SaleAction, SaleConfig, SaleDetails, SalePatch, SaleState } from "./types.ts";
import { checkInteger } from "./validation.ts";

/**
 * Told after every create, edit and state change, with the sale as it now is: the
 * sale-lifecycle queue (core/waiting-room/lifecycle.ts) puts its scheduled transitions there.
 */
export interface SaleLifecycleHook {
  saleChanged(sale: Sale): Promise<void>;
}

export interface SaleServiceDependencies {
  repository: SaleRepository;
  holds: HoldEngine;
  room: WaitingRoom;
  clock?: Clock;
  lifecycle?: SaleLifecycleHook;
}

/**
 * Sales administration: the durable configuration (repository) and the sale's live state in
 * Redis (stock in the HoldEngine, the room in the WaitingRoom) kept in step. Redis is
 * authoritative for the state once a sale is set up there; the durable state follows it.
 */
export class SaleService {
  private readonly repository: SaleRepository;
  private readonly holds: HoldEngine;
  private readonly room: WaitingRoom;
  private readonly clock: Clock;
  private readonly lifecycle: SaleLifecycleHook | undefined;
  /** The last queued change per sale; see `exclusive`. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(deps: SaleServiceDependencies) {
    this.repository = deps.repository;
    this.holds = deps.holds;
    this.room = deps.room;
    this.clock = deps.clock ?? systemClock;
    this.lifecycle = deps.lifecycle;
  }

  /** A sale with a start time is set up in Redis at once, so the admission controller runs its schedule. */
  async create(input: NewSaleInput): Promise<SaleDetails> {
    const config = newSaleConfig(input, this.clock.now());
    if (config.schedule.startsAt !== null) config.state = await this.setUp(config);
    try {
      await this.repository.create(config);
    } catch (error) {
      // The id is random and never reused, so the Redis keys are unreachable; only stop the
      // controller from running a room nobody can see.
      if (config.state !== "draft") await this.room.forget(config.id).catch(() => undefined);
      throw error;
    }
    return this.announce(await this.get(config.id));
  }

  update(saleId: string, patch: SalePatch): Promise<SaleDetails> {
    return this.exclusive(saleId, async () => this.announce(await this.applyPatch(saleId, patch)));
  }

  private async applyPatch(saleId: string, patch: SalePatch): Promise<SaleDetails> {
    const sale = await this.load(saleId);
    if (sale.state === "draft") {
      const { next } = planPatch(sale, patch, this.clock.now());
      if (next.schedule.startsAt !== null) next.state = await this.setUp(next);
      await this.repository.update(next);
      return this.get(saleId);
    }
    // Checked against the room's state, not the stored one, which may lag a scheduled change.
    const view = await this.room.view(saleId);
    const snapshot = await this.holds.snapshot(saleId);
    if (!view || !snapshot) throw saleStateMissing(saleId);
    if (view.state !== sale.state) await this.repository.setState(saleId, view.state);
    const { next, allocations, removed } = planPatch({ ...sale, state: view.state }, patch, this.clock.now());
    // Removed items (only before the start) keep their Redis fields, emptied so nobody can hold them.
    for (const item of removed) allocations.set(item.id, 0);
    await applyAllocations(this.holds, saleId, snapshot, allocations);
    await this.holds.defineSale(saleId, stockOf(next));
    // configure keeps the room's state and counters and replaces its settings.
    await this.room.configure(saleId, roomSettings(next));
    await this.repository.update(next);
    return this.get(saleId);
  }

  transition(saleId: string, action: SaleAction): Promise<SaleDetails> {
    return this.exclusive(saleId, async () => {
      const sale = await this.load(saleId);
      await runTransition({ room: this.room, repository: this.repository, setUp: (config, initial) => this.setUp(config, initial) }, sale, action);
      return this.announce(await this.get(saleId));
    });
  }

  start(saleId: string): Promise<SaleDetails> {
    return this.transition(saleId, "start");
  }

  pause(saleId: string): Promise<SaleDetails> {
    return this.transition(saleId, "pause");
  }

  resume(saleId: string): Promise<SaleDetails> {
    return this.transition(saleId, "resume");
  }

  end(saleId: string): Promise<SaleDetails> {
    return this.transition(saleId, "end");
  }

  /** Configuration and live counters. Also brings the stored state up to the room's. */
  async get(saleId: string): Promise<SaleDetails> {
    const sale = await this.load(saleId);
    if (sale.state === "draft") return { sale, counters: {}, activeHolds: null, room: null };
    const [snapshot, view] = await Promise.all([this.holds.snapshot(saleId), this.room.view(saleId)]);
    if (view && view.state !== sale.state) {
      await this.repository.setState(saleId, view.state);
      sale.state = view.state;
    }
    return {
      sale,
      counters: snapshot?.items ?? {},
      activeHolds: snapshot?.activeHolds ?? null,
      room: view && {
        state: view.state,
        // An ended sale tells everyone in line it has ended: nobody waits any more, whatever numbers were handed out.
        waiting: view.state === "ended" ? 0 : Math.max(0, view.prequeued + view.issued - view.serving),
        admitted: view.serving,
        prequeued: view.prequeued,
        issued: view.issued,
        soldOut: view.soldOut,
      },
    };
  }

  /**
   * Tells the lifecycle queue. Its failure does not fail the change: the admission
   * controller's loop applies every schedule anyway, only less punctually.
   */
  private async announce(details: SaleDetails): Promise<SaleDetails> {
    await this.lifecycle?.saleChanged(details.sale).catch(() => undefined);
    return details;
  }

  /** Newest first; `storeId` keeps one store's sales (an embedded app sees only its shop's). */
  async list(options: { limit?: number; storeId?: string } = {}): Promise<Sale[]> {
    const limit = checkInteger("invalid_list_limit", "limit", options.limit ?? 50, 1, 200);
    return this.repository.list({ limit, ...(options.storeId === undefined ? {} : { storeId: options.storeId }) });
  }

  /** For AdmissionController's `onScheduledTransition`: the stored state follows the schedule. */
  async onScheduledTransition(saleId: string, state: RoomState): Promise<void> {
    await this.repository.setState(saleId, state);
  }

  /**
   * Runs one change of a sale at a time in this process. Allocation changes are deltas worked
   * out from a snapshot, so two overlapping patches (a double-clicked save) would both apply
   * theirs. Changes from another process (the CLI next to the server) are not serialised.
   */
  private exclusive<T>(saleId: string, change: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(saleId) ?? Promise.resolve();
    const next = previous.then(change, change);
    const settled = next.catch(() => undefined);
    this.queues.set(saleId, settled);
    void settled.then(() => {
      if (this.queues.get(saleId) === settled) this.queues.delete(saleId);
    });
    return next;
  }

  private async load(saleId: string): Promise<Sale> {
    try {
      assertId("sale", saleId);
    } catch {
      throw new SaleNotFoundError(saleId);
    }
    const sale = await this.repository.get(saleId);
    if (!sale) throw new SaleNotFoundError(saleId);
    return sale;
  }

  /**
   * Sets up stock and room in Redis; both steps keep what exists (defineSale adds missing
   * items only, configure keeps state and counters), so running it twice is harmless.
   */
  private async setUp(config: SaleConfig, initial?: "scheduled" | "prequeue"): Promise<SaleState> {
    const { prequeueAt } = config.schedule;
    const state = initial ?? (prequeueAt !== null && prequeueAt <= this.clock.now() ? "prequeue" : "scheduled");
    await this.holds.defineSale(config.id, stockOf(config));
    return this.room.configure(config.id, roomSettings(config), state);
  }
}

function stockOf(config: SaleConfig) {
  return { perCustomerLimit: config.perCustomerLimit, items: config.items.map((item) => ({ itemId: item.id, allocation: item.allocation })) };
}

/** The room settings a sale config gives (also what recovery restores a lost room with). */
export function roomSettings(config: SaleConfig): RoomSettings {
  return {
    ...config.admission,
    holdMinutes: config.holdMinutes,
    storeId: config.storeId,
    ...config.schedule,
    holdsThroughStoreOnly: config.holdsThroughStoreOnly,
  };
}
