import type { AppParts } from "../composition/web.server.ts";
import { drainWooDeliveries, type WooWebhookDeps } from "../api/webhooks/woocommerce.ts";
import { systemClock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import { DeliveryInbox } from "../core/orders/index.ts";
import { wooWebhookSecret } from "../stores/directory.server.ts";
import type { RunningWorker } from "../composition/worker.server.ts";

/** The producer a WooCommerce delivery goes to, once the worker has made it. */
export type WooProducers = Pick<RunningWorker, "platformEvents">;

/** What the WooCommerce webhook route needs, from the app's parts and the worker's producers (once it runs). */
export function wooWebhookDeps(
  parts: Pick<AppParts, "db" | "masterKey" | "redis">,
  producers: () => WooProducers | undefined,
  logger: Logger,
  options: { inboxSource?: string } = {},
): WooWebhookDeps {
  return {
    secretOf: (storeId) => wooWebhookSecret(parts.db, parts.masterKey.key, storeId),
    events: () => producers()?.platformEvents ?? null,
    inbox: new DeliveryInbox(parts.redis, options.inboxSource ?? "woocommerce"),
    clock: systemClock,
    logger,
  };
}

/** Processes kept deliveries every `everyMs` (they wait while the worker starts or the queue is down); returns a stop function. */
export function startWooDeliveryDrain(deps: WooWebhookDeps, everyMs = 1_000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running || deps.events() === null) return;
    running = true;
    drainWooDeliveries(deps)
      .catch((error: unknown) => deps.logger.warn("woocommerce delivery drain failed", { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
