import type { Sale } from "../../core/sales/index.ts";
import { parseGateConfig } from "../../../extensions/checkout-gate/src/config.ts";
import type { AdminGraphql } from "../adminGraphql.server.ts";
import type { ReadinessCheck } from "../readiness.server.ts";
import { findGate } from "./checkoutGate.server.ts";
import { RUNNING_STATES } from "./dropPolicy.ts";

/** "Checkout gate active", read from the shop itself: the validation, its switches and what its metafield lists. */
export async function gateReadiness(admin: AdminGraphql, appKey: string, sale: Sale): Promise<Omit<ReadinessCheck, "id" | "title">> {
  const gate = await findGate(admin, appKey);
  if (!gate) {
    return {
      status: "fail",
      detail:
        "The checkout gate is not installed: deploy the app (`shopify app deploy`), then save the drop; until then shoppers can reach checkout without waiting their turn.",
    };
  }
  if (!gate.enabled) return { status: "fail", detail: `"${gate.title}" is turned off: Settings > Checkout > Checkout rules, turn it on.` };
  if (!gate.blockOnFailure)
    return {
      status: "fail",
      detail: `"${gate.title}" lets checkouts through when it fails: in Settings > Checkout > Checkout rules, turn on "Block checkout if the rule fails".`,
    };
  let config = null;
  try {
    config = gate.metafield ? parseGateConfig(JSON.parse(gate.metafield.value) as unknown) : null;
  } catch {
    config = null;
  }
  if (!config) return { status: "fail", detail: "The checkout gate has no configuration yet: save the drop to write it." };
  if (RUNNING_STATES.has(sale.state) && !config.d.some((drop) => drop.s === sale.id)) {
    return { status: "fail", detail: "The checkout gate does not list this running drop yet: save the drop to publish it again." };
  }
  return {
    status: "pass",
    detail: RUNNING_STATES.has(sale.state)
      ? "Active: checkouts of this drop's products need a hold from the waiting room, express checkouts included."
      : "Installed and blocking; it guards this drop's products from the moment the drop starts.",
  };
}
