/**
 * The pre-scale step of a drop (`npm run holdfast -- prescale <saleId>`): the web
 * HorizontalPodAutoscaler reacts to load a minute or more after it arrives, and a drop's crowd
 * arrives at once, so the floor is raised ahead of the doors opening and put back after the end.
 * The names and the resting floor are deploy/k8s's (a test keeps them equal).
 */
import type { Sale } from "../core/sales/index.ts";

/** The web HorizontalPodAutoscaler in deploy/k8s/base/web-hpa.yaml, in the production overlay's namespace. */
export const WEB_HPA_NAME = "holdfast-web";
export const PRODUCTION_NAMESPACE = "holdfast";
/** Its minReplicas in the production overlay: where the floor goes back to after the drop. */
export const RESTING_MIN_REPLICAS = 3;
export const DEFAULT_PRESCALE_REPLICAS = 10;
/** How long before the doors open the floor is raised: pods pulled, started, migrated, ready. */
export const PRESCALE_LEAD_MS = 30 * 60_000;

export interface PrescalePlan {
  saleId: string;
  name: string;
  hpa: string;
  replicas: number;
  restingReplicas: number;
  /** When the floor goes up: the lead before the doors open (the pre-queue's, or the start). */
  from: number;
  /** When it goes back down: the sale's end; null when the sale has no end time. */
  until: number | null;
}

/** A sale with no start time, or one already over, has no window to scale for. */
export class UnscheduledSaleError extends Error {}

export function prescalePlan(sale: Sale, replicas: number, now: number): PrescalePlan {
  const { prequeueAt, startsAt, endsAt } = sale.schedule;
  if (startsAt === null) {
    throw new UnscheduledSaleError(
      `sale ${sale.id} has no start time, so there is no window to pre-scale for; set one with \`npm run holdfast -- sale update ${sale.id} --starts-at <ISO>\``,
    );
  }
  if (endsAt !== null && endsAt <= now) throw new UnscheduledSaleError(`sale ${sale.id} ended at ${new Date(endsAt).toISOString()}: nothing to pre-scale`);
  // Shoppers arrive when the pre-queue opens, not only at the start.
  const doorsOpen = Math.min(startsAt, prequeueAt ?? startsAt);
  return {
    saleId: sale.id,
    name: sale.name,
    hpa: WEB_HPA_NAME,
    replicas,
    restingReplicas: RESTING_MIN_REPLICAS,
    from: doorsOpen - PRESCALE_LEAD_MS,
    until: endsAt,
  };
}

function patchCommand(hpa: string, minReplicas: number): string {
  return `kubectl -n ${PRODUCTION_NAMESPACE} patch hpa ${hpa} --type merge -p '${JSON.stringify({ spec: { minReplicas } })}'`;
}

/** The floor window and the two kubectl commands to run at its edges (by a scheduler, or by hand). */
export function describePrescale(plan: PrescalePlan): string {
  const at = (ms: number) => new Date(ms).toISOString();
  const window = plan.until === null ? `from ${at(plan.from)} (the sale has no end time: lower it by hand)` : `from ${at(plan.from)} until ${at(plan.until)}`;
  return [
    `sale ${plan.saleId} "${plan.name}": HorizontalPodAutoscaler ${plan.hpa} minReplicas ${plan.replicas} ${window}`,
    `at ${at(plan.from)}:`,
    `  ${patchCommand(plan.hpa, plan.replicas)}`,
    ...(plan.until === null ? [] : [`at ${at(plan.until)}:`, `  ${patchCommand(plan.hpa, plan.restingReplicas)}`]),
  ].join("\n");
}
