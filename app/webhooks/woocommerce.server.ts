import type { AppParts } from "../composition/web.server.ts";
import type { WooWebhookDeps } from "../api/webhooks/woocommerce.ts";
import { systemClock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import { PrismaSyncCatalog } from "../db/PrismaSyncCatalog.ts";
import { wooWebhookSecret } from "../stores/directory.server.ts";
import type { RunningWorker } from "../composition/worker.server.ts";

/** What the WooCommerce webhook route needs, from the app's parts and the worker's producers (once it runs). */
export function wooWebhookDeps(parts: Pick<AppParts, "db" | "masterKey">, worker: () => RunningWorker | undefined, logger: Logger): WooWebhookDeps {
  const catalog = new PrismaSyncCatalog(parts.db);
  return {
    secretOf: (storeId) => wooWebhookSecret(parts.db, parts.masterKey.key, storeId),
    itemsForRef: (storeId, ref) => catalog.itemsForRef(storeId, ref),
    intake: () => worker()?.intake ?? null,
    stockIntake: () => worker()?.stockIntake ?? null,
    clock: systemClock,
    logger,
  };
}
