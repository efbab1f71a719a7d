// The admin pages' loaders and actions, written once for both surfaces (surfaces.server.ts):
// the routes under app.* and console.* call these and keep only their UI.
import { json } from "@remix-run/node";

import { emptyDropForm } from "../components/dropForm.ts";
import { listDrops, loadDrop } from "./access.server.ts";
import { placementOf } from "./placement.server.ts";
import { answering, errorResponse } from "./errors.server.ts";
import { dropToForm, formFailure, readDropForm } from "./form.server.ts";
import { controlAction, liveSnapshot } from "./live.server.ts";
import { ordersCsv, ordersPage, parseOrderFilter } from "./orders.server.ts";
import { createDrop, updateDrop } from "./save.server.ts";
import type { DropsSurface } from "./surfaces.server.ts";

/** The drops list; it is Holdfast's own data, so a platform that does not answer shows it in UTC rather than fail. */
export function dropsListLoader(surface: DropsSurface) {
  return answering(async () => {
    const [drops, timeZone] = await Promise.all([surface.scope().then((scope) => listDrops(surface.deps, scope)), surface.timeZone("UTC")]);
    return json({ drops, timeZone });
  });
}

/**
 * The zone the form's times are in: the one picked (console; checked with the rest of the
 * form), else the surface's, whatever the browser sent; if the platform does not answer, the
 * one the page was rendered with.
 */
function formTimeZone(surface: DropsSurface, sent: string): Promise<string> {
  return surface.picksTimeZone ? Promise.resolve(sent) : surface.timeZone(sent);
}

export function newDropLoader(surface: DropsSurface) {
  return answering(async () => json({ initial: emptyDropForm(await surface.timeZone()) }));
}

/** Creates the drop and opens its dashboard; a refused form answers with every field's problem. */
export async function newDropAction(surface: DropsSurface, request: Request) {
  try {
    const values = await readDropForm(request);
    const timeZone = await formTimeZone(surface, values.timeZone);
    const saleId = await createDrop(surface.deps, await surface.scope(), { ...values, timeZone });
    await surface.afterChange((await surface.deps.sales.get(saleId)).sale.storeId);
    return surface.redirect(`${surface.base}/drops/${saleId}/live?created=1`);
  } catch (error) {
    const failure = formFailure(error);
    if (failure) return json({ error: failure.problem }, { status: failure.status });
    throw error;
  }
}

export function editDropLoader(surface: DropsSurface, saleId: string) {
  return answering(async () => {
    const [details, timeZone] = await Promise.all([surface.scope().then((scope) => loadDrop(surface.deps, scope, saleId)), surface.timeZone()]);
    return json({ saleId, state: details.sale.state, name: details.sale.name, initial: dropToForm(details, timeZone) });
  });
}

export async function editDropAction(surface: DropsSurface, request: Request, saleId: string) {
  try {
    const values = await readDropForm(request);
    const timeZone = await formTimeZone(surface, values.timeZone);
    await updateDrop(surface.deps, await surface.scope(), saleId, { ...values, timeZone });
    await surface.afterChange((await surface.deps.sales.get(saleId)).sale.storeId);
    return json({ saved: true as const });
  } catch (error) {
    const failure = formFailure(error);
    if (failure) return json({ error: failure.problem }, { status: failure.status });
    return answering(() => Promise.reject(error));
  }
}

/** The live page: the numbers, and how to put the drop on the store (by the store's platform). */
export function liveLoader(surface: DropsSurface, request: Request, saleId: string) {
  return answering(async () => {
    const scope = await surface.scope();
    const [snapshot, details] = await Promise.all([liveSnapshot(surface.deps, scope, saleId), loadDrop(surface.deps, scope, saleId)]);
    const placement = await placementOf(surface.deps, details, new URL(request.url).origin, surface.appKey());
    return json({ ...snapshot, placement });
  });
}

/** JSON the live dashboard polls every few seconds (it also records the chart's samples). */
export async function statsLoader(surface: DropsSurface, saleId: string) {
  try {
    return json(await liveSnapshot(surface.deps, await surface.scope(), saleId), { headers: { "cache-control": "no-store" } });
  } catch (error) {
    const response = errorResponse(error);
    if (response) return response;
    throw error;
  }
}

/** The dashboard's controls: form fields `intent` (start, pause, resume, end, queueEveryone, setRate) and `perMinute`. */
export async function liveControlAction(surface: DropsSurface, request: Request, saleId: string) {
  try {
    const scope = await surface.scope();
    await controlAction(surface.deps, scope, saleId, await request.formData());
    // Started, paused, resumed or ended: the storefront and the checkout gate follow at once.
    if (scope.kind === "store") await surface.afterChange(scope.storeId);
    return json({ ok: true as const });
  } catch (error) {
    const response = errorResponse(error);
    if (response) return response;
    throw error;
  }
}

/** The orders page: `?filter=` all, placed, bypass, failed, oversold. */
export function ordersLoader(surface: DropsSurface, request: Request, saleId: string) {
  return answering(async () => {
    const filter = parseOrderFilter(new URL(request.url).searchParams.get("filter"));
    return json(await ordersPage(surface.deps, await surface.scope(), saleId, filter));
  });
}

/** The same orders as CSV (every matching order, not only the page's). */
export async function ordersCsvLoader(surface: DropsSurface, request: Request, saleId: string) {
  try {
    const filter = parseOrderFilter(new URL(request.url).searchParams.get("filter"));
    const csv = await ordersCsv(surface.deps, await surface.scope(), saleId, filter);
    return new Response(csv.body, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${csv.filename}"`,
        "cache-control": "no-store",
      },
    });
  } catch (error) {
    const response = errorResponse(error);
    if (response) return response;
    throw error;
  }
}
