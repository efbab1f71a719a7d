import type { AppParts } from "./app.server.ts";
import type { Logger } from "./core/logger.ts";
import type { RoomState } from "./core/waiting-room/index.ts";
import { AdmissionController } from "./core/waiting-room/index.ts";

export interface WorkerHooks {
  /** The durable sale record follows the room's scheduled changes. */
  onScheduledTransition?: (saleId: string, state: RoomState) => Promise<void> | void;
}

/**
 * The background half of Holdfast. For now: the waiting room's admission controller (one
 * leader across all workers). `npm start` runs it in the web process; production runs it
 * on its own.
 */
export function startWorker(parts: AppParts, logger: Logger, hooks: WorkerHooks = {}): { stop: () => Promise<void> } {
  const controller = new AdmissionController(parts.redis, parts.room, { logger, onScheduledTransition: hooks.onScheduledTransition });
  controller.start();
  return { stop: () => controller.stop() };
}
