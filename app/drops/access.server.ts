import type { DropListRow } from "../components/DropsList.tsx";
import { SaleNotFoundError, type Sale, type SaleDetails } from "../core/sales/index.ts";
import type { Db } from "../db/client.server.ts";
import { StoreRecords } from "../db/StoreRecords.ts";
import type { DropsDeps, DropsScope } from "./deps.server.ts";

/**
 * The Store row of a Shopify shop, made if the install hook has not made it yet (upsert:
 * two first requests at once make one row). Its signing keys are made on first use.
 */
export async function shopifyScope(db: Db, shop: string): Promise<DropsScope> {
  return { kind: "store", storeId: await new StoreRecords(db).ensure("shopify", shop.toLowerCase()) };
}

export const CONSOLE_SCOPE: DropsScope = { kind: "all" };

function visible(scope: DropsScope, sale: Sale): boolean {
  return scope.kind === "all" || sale.storeId === scope.storeId;
}

/** A drop the scope may see; another shop's drop is "not found", never "forbidden" (ids are not confirmed). */
export async function loadDrop(deps: DropsDeps, scope: DropsScope, saleId: string): Promise<SaleDetails> {
  const details = await deps.sales.get(saleId);
  if (!visible(scope, details.sale)) throw new SaleNotFoundError(saleId);
  return details;
}

/** Checks access before a change; the change itself goes through SaleService. */
export async function assertDropAccess(deps: DropsDeps, scope: DropsScope, saleId: string): Promise<void> {
  await loadDrop(deps, scope, saleId);
}

export type DropRow = DropListRow;

export async function listDrops(deps: DropsDeps, scope: DropsScope): Promise<DropRow[]> {
  const sales = await deps.sales.list({ limit: 50, ...(scope.kind === "store" ? { storeId: scope.storeId } : {}) });
  return Promise.all(
    sales.map(async (sale): Promise<DropRow> => {
      const details = sale.state === "draft" ? null : await deps.sales.get(sale.id).catch(() => null);
      const counters = details ? Object.values(details.counters) : [];
      const state = details?.sale.state ?? sale.state;
      return {
        id: sale.id,
        name: sale.name,
        state,
        startsAt: sale.schedule.startsAt,
        endsAt: sale.schedule.endsAt,
        sold: details ? counters.reduce((sum, item) => sum + item.sold, 0) : null,
        allocated:
          details && counters.length > 0 ? counters.reduce((sum, item) => sum + item.allocated, 0) : sale.items.reduce((sum, item) => sum + item.allocation, 0),
        live: state === "live",
        waiting: details?.room?.waiting ?? null,
      };
    }),
  );
}
