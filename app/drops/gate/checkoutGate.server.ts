import { SET_APP_METAFIELD } from "../../platforms/shopify/adminDocuments.ts";
import { GATE_CREATE, GATE_FUNCTION_HANDLE, GATE_VALIDATIONS, type GateValidationData } from "../../platforms/shopify/gateDocuments.ts";
import { GATE_METAFIELD } from "../../../extensions/checkout-gate/src/config.ts";
import { readAdmin, type AdminGraphql } from "../adminGraphql.server.ts";

export const GATE_TITLE = "Holdfast checkout gate";

export class GateRefusedError extends Error {}

/** This app's validation running the checkout-gate function, or null when the shop has none. */
export async function findGate(admin: AdminGraphql, appKey: string): Promise<GateValidationData | null> {
  const data = await readAdmin(admin, GATE_VALIDATIONS, {}, "the shop's checkout validations");
  // Another app may have a function of the same handle: ours is the one with our API key.
  return (
    data.validations.nodes.find((node) => node.shopifyFunction.handle === GATE_FUNCTION_HANDLE && (!appKey || node.shopifyFunction.appKey === appKey)) ?? null
  );
}

/**
 * Creates the validation on first use (enabled, blocking checkout when the function fails,
 * so an error never waves a skipped line through) with its configuration, or writes the
 * configuration onto the one that exists. A merchant who turned the gate off in Settings >
 * Checkout keeps it off: the readiness checklist says so, the app does not override them.
 */
export async function writeGate(admin: AdminGraphql, appKey: string, value: string): Promise<GateValidationData> {
  const existing = await findGate(admin, appKey);
  const metafield = { ...GATE_METAFIELD, type: "json", value };
  if (!existing) {
    const created = await readAdmin(
      admin,
      GATE_CREATE,
      { validation: { functionHandle: GATE_FUNCTION_HANDLE, title: GATE_TITLE, enable: true, blockOnFailure: true, metafields: [metafield] } },
      "the checkout gate",
    );
    const problem = created.validationCreate?.userErrors[0];
    if (problem || !created.validationCreate?.validation) {
      throw new GateRefusedError(
        `Shopify refused to create the checkout gate (${problem?.code ?? "no validation"}: ${problem?.message ?? "no answer"}). Deploy the app with \`shopify app deploy\` so the checkout-gate function exists.`,
      );
    }
    return created.validationCreate.validation;
  }
  const answer = await readAdmin(admin, SET_APP_METAFIELD, { metafields: [{ ownerId: existing.id, ...metafield }] }, "the checkout gate's configuration");
  const problem = answer.metafieldsSet?.userErrors[0];
  if (problem) throw new GateRefusedError(`Shopify refused the checkout gate's configuration: ${problem.message}`);
  return existing;
}
