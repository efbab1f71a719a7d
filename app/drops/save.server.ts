import type { DropFormValues } from "../components/dropForm.ts";
import { isListedTimeZone } from "../components/zonedTime.ts";
import { FieldErrorCollector } from "../core/errors/InvalidInputError.ts";
import { newSaleConfig, planPatch } from "../core/sales/index.ts";
import { loadDrop } from "./access.server.ts";
import type { DropsDeps, DropsScope } from "./deps.server.ts";
import { dropPatch, dropToForm, newDropInput } from "./form.server.ts";

/**
 * A form with values it cannot even read (a word where minutes go) is not sent to the sales
 * service; the core's rules still run without effect (`check`), so the merchant gets every
 * problem at once, the form's first.
 */
function refuseUnreadable(errors: FieldErrorCollector, check: () => unknown): void {
  if (errors.problems.length === 0) return;
  errors.check(undefined, check);
  errors.done();
}

/** Validates (core rules), writes SQL and sets the drop up in Redis when it has a start. */
export async function createDrop(deps: DropsDeps, scope: DropsScope, values: DropFormValues): Promise<string> {
  const errors = new FieldErrorCollector();
  const input = newDropInput(errors, values, scope.kind === "store" ? scope.storeId : null);
  refuseUnreadable(errors, () => newSaleConfig(input, deps.clock.now()));
  const details = await deps.sales.create(input);
  return details.sale.id;
}

/** Applies what the merchant changed, compared with the drop as it is now. */
export async function updateDrop(deps: DropsDeps, scope: DropsScope, saleId: string, values: DropFormValues): Promise<void> {
  const details = await loadDrop(deps, scope, saleId);
  const errors = new FieldErrorCollector();
  // An unknown zone is refused (recorded by dropPatch); the comparison then reads the drop in UTC rather than fail.
  const patch = dropPatch(errors, values, dropToForm(details, isListedTimeZone(values.timeZone) ? values.timeZone : "UTC"));
  refuseUnreadable(errors, () => planPatch(details.sale, patch, deps.clock.now()));
  if (Object.keys(patch).length > 0) await deps.sales.update(saleId, patch);
}
