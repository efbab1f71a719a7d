import type { WaitingRoom } from "../waiting-room/index.ts";
import { InvalidTransitionError, saleStateMissing } from "./errors.ts";
import type { SaleRepository } from "./SaleRepository.ts";
import type { Sale, SaleAction, SaleConfig, SaleState } from "./types.ts";

export interface TransitionDependencies {
  room: WaitingRoom;
  repository: SaleRepository;
  setUp: (config: SaleConfig, initial?: "scheduled" | "prequeue") => Promise<SaleState>;
}

/** Where each action leads, and from where. Asking for the state a sale is in already is a no-op. */
const MOVES: Record<SaleAction, { target: "live" | "paused" | "ended"; from: readonly SaleState[] }> = {
  start: { target: "live", from: ["draft", "scheduled", "prequeue"] },
  pause: { target: "paused", from: ["live"] },
  resume: { target: "live", from: ["paused"] },
  end: { target: "ended", from: ["draft", "scheduled", "prequeue", "live", "paused"] },
};

/**
 * Applies an admin action. The room's state in Redis decides (the controller may have moved
 * it since the stored state was written); the stored state is then brought in line.
 */
export async function runTransition(deps: TransitionDependencies, sale: Sale, action: SaleAction): Promise<void> {
  const move = MOVES[action];
  let current: SaleState = sale.state;
  if (current !== "draft") {
    const view = await deps.room.view(sale.id);
    if (!view) return withoutRoom(deps, sale, action);
    current = view.state;
    if (current !== sale.state) await deps.repository.setState(sale.id, current);
  }
  if (current === move.target) return;
  if (!move.from.includes(current)) throw new InvalidTransitionError(action, current);
  if (current === "draft") {
    // Nothing in Redis yet: a draft is set up when started, and simply closed when ended.
    if (action === "end") return void (await deps.repository.setState(sale.id, "ended"));
    await deps.setUp(sale, "scheduled");
  }
  await moveRoom(deps, sale.id, action);
}

async function moveRoom(deps: TransitionDependencies, saleId: string, action: SaleAction): Promise<void> {
  const result = await deps.room.transition(saleId, MOVES[action].target);
  if (result.outcome === "not_found") throw saleStateMissing(saleId);
  await deps.repository.setState(saleId, result.state);
  if (result.outcome === "invalid") throw new InvalidTransitionError(action, result.state);
}

/**
 * The room is gone from Redis (flushed or replaced). A sale that never opened sold nothing,
 * so it can be set up again from its configuration; one that did cannot (its counters are
 * lost) but may still be closed.
 */
async function withoutRoom(deps: TransitionDependencies, sale: Sale, action: SaleAction): Promise<void> {
  if (sale.state === "ended") {
    if (action === "end") return;
    throw new InvalidTransitionError(action, "ended");
  }
  if (action === "end") return void (await deps.repository.setState(sale.id, "ended"));
  if (action !== "start" || (sale.state !== "scheduled" && sale.state !== "prequeue")) throw saleStateMissing(sale.id);
  await deps.setUp(sale, "scheduled");
  await moveRoom(deps, sale.id, action);
}
