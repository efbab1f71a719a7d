import type { AppParts } from "./app.server.ts";
import type { Logger } from "./core/logger.ts";
import { AdmissionController } from "./core/waiting-room/index.ts";

/**
 * The background half of Holdfast. For now: the waiting room's admission controller (one
 * leader across all workers). `npm start` runs it in the web process; production runs it
 * on its own.
 */
export function startWorker(parts: AppParts, logger: Logger): { stop: () => Promise<void> } {
  // The durable sale record follows the room's scheduled changes.
  const controller = new AdmissionController(parts.redis, parts.room, {
    logger,
    onScheduledTransition: (saleId, state) => parts.sales.onScheduledTransition(saleId, state),
  });
  controller.start();
  return { stop: () => controller.stop() };
}
