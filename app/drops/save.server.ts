import type { DropFormValues } from "../components/dropForm.ts";
import { loadDrop } from "./access.server.ts";
import type { DropsDeps, DropsScope } from "./deps.server.ts";
import { dropPatch, dropToForm, newDropInput } from "./form.server.ts";

/** Validates (core rules), writes SQL and sets the drop up in Redis when it has a start. */
export async function createDrop(deps: DropsDeps, scope: DropsScope, values: DropFormValues): Promise<string> {
  const details = await deps.sales.create(newDropInput(values, scope.kind === "store" ? scope.storeId : null));
  return details.sale.id;
}

/** Applies what the merchant changed, compared with the drop as it is now. */
export async function updateDrop(deps: DropsDeps, scope: DropsScope, saleId: string, values: DropFormValues): Promise<void> {
  const details = await loadDrop(deps, scope, saleId);
  const patch = dropPatch(values, dropToForm(details, values.timeZone));
  if (Object.keys(patch).length > 0) await deps.sales.update(saleId, patch);
}
