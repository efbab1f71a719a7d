import type { BypassPolicy } from "../core/orders/index.ts";
import { BYPASS_POLICIES } from "../core/orders/index.ts";
import type { DropFormValues } from "../components/dropForm.ts";
import type { Db } from "../db.server.ts";
import { loadDrop } from "./access.server.ts";
import type { DropsDeps, DropsScope } from "./deps.server.ts";
import { dropPatch, dropToForm, newDropInput } from "./form.server.ts";

// The bypass policy is a column of the sale that the order processor reads
// (PrismaOrderRepository.findSale); SaleService does not carry it yet, so it is written here,
// right after the sale itself. It belongs in SaleConfig; until then this is its one writer.
export async function readBypassPolicy(db: Db, saleId: string): Promise<BypassPolicy> {
  const row = await db.sale.findUnique({ where: { id: saleId }, select: { bypassPolicy: true } });
  const value = row?.bypassPolicy as BypassPolicy | undefined;
  return value !== undefined && BYPASS_POLICIES.includes(value) ? value : "flag";
}

async function writeBypassPolicy(db: Db, saleId: string, policy: BypassPolicy): Promise<void> {
  await db.sale.update({ where: { id: saleId }, data: { bypassPolicy: policy } });
}

/** Validates (core rules), writes SQL and sets the drop up in Redis when it has a start. */
export async function createDrop(deps: DropsDeps, scope: DropsScope, values: DropFormValues): Promise<string> {
  const { input, bypassPolicy } = newDropInput(values, scope.kind === "store" ? scope.storeId : null);
  const details = await deps.sales.create(input);
  await writeBypassPolicy(deps.db, details.sale.id, bypassPolicy);
  return details.sale.id;
}

/** Applies what the merchant changed, compared with the drop as it is now. */
export async function updateDrop(deps: DropsDeps, scope: DropsScope, saleId: string, values: DropFormValues): Promise<void> {
  const details = await loadDrop(deps, scope, saleId);
  const current = dropToForm(details, await readBypassPolicy(deps.db, saleId), values.timeZone);
  const { patch, bypassPolicy } = dropPatch(values, current);
  if (Object.keys(patch).length > 0) await deps.sales.update(saleId, patch);
  if (bypassPolicy !== current.bypassPolicy) await writeBypassPolicy(deps.db, saleId, bypassPolicy);
}
