import { InvalidInputError } from "../../core/errors/InvalidInputError.ts";
import type { SaleAction, SaleService } from "../../core/sales/index.ts";
import { readBody } from "../body.ts";
import { sendJson } from "../respond.ts";
import type { Handler, RequestContext, Route } from "../router.ts";
import { bearerGuard } from "./auth.ts";
import { saleJson, saleSummaryJson } from "./present.ts";
import { createSaleSchema, patchSaleSchema } from "./schemas.ts";

export interface AdminSaleRoutesOptions {
  service: SaleService;
  /** HOLDFAST_ADMIN_TOKEN or the generated one (see app/adminToken.server.ts). */
  adminToken: string;
}

// A sale of 100 items with long titles and references fits; the default 16 KiB would not.
const ADMIN_BODY_LIMIT_BYTES = 64 * 1024;
const ACTIONS: readonly SaleAction[] = ["start", "pause", "resume", "end"];

/**
 * The sales administration API (issue 3), all behind the admin bearer token:
 * POST/GET /v1/admin/sales, GET/PATCH /v1/admin/sales/:saleId,
 * POST /v1/admin/sales/:saleId/(start|pause|resume|end).
 */
export function adminSaleRoutes({ service, adminToken }: AdminSaleRoutesOptions): Route[] {
  const authorise = bearerGuard(adminToken);
  const guarded =
    (handler: (ctx: RequestContext) => Promise<void>): Handler =>
    async (ctx) => {
      authorise(ctx.req);
      // The core's refusals (400/404/409) are answered by the router (core/errors/problem.ts).
      await handler(ctx);
    };
  const saleId = (ctx: RequestContext) => ctx.params.saleId ?? "";

  return [
    {
      method: "POST",
      path: "/v1/admin/sales",
      handler: guarded(async ({ req, res }) => {
        const body = await readBody(req, createSaleSchema, ADMIN_BODY_LIMIT_BYTES);
        const details = await service.create(body);
        sendJson(res, 201, saleJson(details), { location: `/v1/admin/sales/${details.sale.id}` });
      }),
    },
    {
      method: "GET",
      path: "/v1/admin/sales",
      handler: guarded(async ({ res, query }) => {
        const sales = await service.list({ limit: listLimit(query.get("limit")) });
        sendJson(res, 200, { sales: sales.map(saleSummaryJson) });
      }),
    },
    {
      method: "GET",
      path: "/v1/admin/sales/:saleId",
      handler: guarded(async (ctx) => sendJson(ctx.res, 200, saleJson(await service.get(saleId(ctx))))),
    },
    {
      method: "PATCH",
      path: "/v1/admin/sales/:saleId",
      handler: guarded(async (ctx) => {
        const patch = await readBody(ctx.req, patchSaleSchema, ADMIN_BODY_LIMIT_BYTES);
        sendJson(ctx.res, 200, saleJson(await service.update(saleId(ctx), patch)));
      }),
    },
    ...ACTIONS.map((action): Route => ({
      method: "POST",
      path: `/v1/admin/sales/:saleId/${action}`,
      handler: guarded(async (ctx) => sendJson(ctx.res, 200, saleJson(await service.transition(saleId(ctx), action)))),
    })),
  ];
}

/** `?limit=` as digits only; its range is the core's rule. */
function listLimit(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  if (!/^\d{1,6}$/.test(raw)) throw new InvalidInputError("invalid_list_limit", "limit must be an integer from 1 to 200.");
  return Number(raw);
}
