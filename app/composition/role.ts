/**
 * Which parts of Holdfast a process runs (HOLDFAST_ROLE):
 *   all     the web server and every queue worker in one process (default; what npm start runs)
 *   web     HTTP only: storefront, admin, webhooks and the Remix app; it enqueues, never consumes
 *   worker  the queue workers, the admission controller and the schedulers; HTTP for
 *           /healthz and /readyz only
 * Web and worker replicas scale apart; the admission controller keeps one leader across every
 * process that runs it (a Redis lease).
 */
export type ProcessRole = "all" | "web" | "worker";

export const ROLE_VARIABLE = "HOLDFAST_ROLE";
const ROLES: readonly ProcessRole[] = ["all", "web", "worker"];

export function processRoleFromEnv(env: NodeJS.ProcessEnv = process.env): ProcessRole {
  const raw = env[ROLE_VARIABLE]?.trim() || "all";
  if (!(ROLES as readonly string[]).includes(raw)) throw new Error(`${ROLE_VARIABLE} must be one of ${ROLES.join(", ")}; got "${raw}"`);
  return raw as ProcessRole;
}
