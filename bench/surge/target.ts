import type { SurgeClient } from "./client.ts";

/** The rehearsal's view of the sale, through the public stock API and (with a token) the admin API. */

export interface StockSample {
  items: { itemId: string; available: number; held: number; sold: number; allocated: number }[];
  soldOut: boolean;
}

export interface RoomSample {
  waiting: number;
  admitted: number;
}

export class SurgeError extends Error {}

export async function createSale(
  client: SurgeClient,
  adminToken: string,
  options: { units: number; items: number; perMinute: number },
): Promise<{ saleId: string; perMinute: number }> {
  const base = Math.floor(options.units / options.items);
  const items = Array.from({ length: options.items }, (_, i) => ({
    title: `Rehearsal item ${i + 1}`,
    allocation: base + (i < options.units - base * options.items ? 1 : 0),
  }));
  const auth = { authorization: `Bearer ${adminToken}` };
  const created = await client.request(null, "POST", "/v1/admin/sales", {
    headers: auth,
    body: {
      name: `Surge rehearsal ${new Date().toISOString().slice(0, 19)}`,
      items,
      holdMinutes: 10,
      perCustomerLimit: 0,
      admission: { mode: "rate", perMinute: options.perMinute },
    },
  });
  if (created.status !== 201) throw new SurgeError(`creating the rehearsal sale: ${created.status} ${created.code ?? ""} ${messageOf(created.body)}`);
  const saleId = String(created.body?.id);
  const started = await client.request(null, "POST", `/v1/admin/sales/${saleId}/start`, { headers: auth });
  if (started.status !== 200) throw new SurgeError(`starting sale ${saleId}: ${started.status} ${started.code ?? ""} ${messageOf(started.body)}`);
  return { saleId, perMinute: options.perMinute };
}

/** The admission setting of an existing sale (null without the admin token or in a mode without a rate). */
export async function admissionRate(client: SurgeClient, adminToken: string | null, saleId: string): Promise<number | null> {
  if (adminToken === null) return null;
  const answer = await client.request(null, "GET", `/v1/admin/sales/${saleId}`, { headers: { authorization: `Bearer ${adminToken}` } });
  const perMinute = (answer.body?.admission as { perMinute?: unknown } | undefined)?.perMinute;
  return typeof perMinute === "number" ? perMinute : null;
}

export async function readStock(client: SurgeClient, saleId: string): Promise<StockSample | null> {
  const answer = await client.request(null, "GET", `/v1/sales/${saleId}/stock`);
  if (answer.status !== 200 || !Array.isArray(answer.body?.items)) return null;
  return { items: answer.body.items as StockSample["items"], soldOut: answer.body.soldOut === true };
}

/** The counters straight from Redis through the admin API (the stock API may be up to a second old). */
export async function readCounters(client: SurgeClient, adminToken: string | null, saleId: string): Promise<StockSample | null> {
  if (adminToken === null) return null;
  const answer = await client.request(null, "GET", `/v1/admin/sales/${saleId}`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (answer.status !== 200 || !Array.isArray(answer.body?.items)) return null;
  const items = (answer.body.items as { id: string; allocation: number; available: number | null; held: number | null; sold: number | null }[]).map((item) => ({
    itemId: item.id,
    allocated: item.allocation,
    available: item.available ?? 0,
    held: item.held ?? 0,
    sold: item.sold ?? 0,
  }));
  return { items, soldOut: items.every((item) => item.available === 0 && item.held === 0) };
}

export async function readRoom(client: SurgeClient, adminToken: string | null, saleId: string): Promise<RoomSample | null> {
  if (adminToken === null) return null;
  const answer = await client.request(null, "GET", `/v1/admin/sales/${saleId}`, { headers: { authorization: `Bearer ${adminToken}` } });
  const room = answer.body?.room as { waiting?: unknown; admitted?: unknown } | null | undefined;
  if (answer.status !== 200 || typeof room?.waiting !== "number" || typeof room.admitted !== "number") return null;
  return { waiting: room.waiting, admitted: room.admitted };
}

export async function endSale(client: SurgeClient, adminToken: string | null, saleId: string): Promise<void> {
  if (adminToken === null) return;
  await client.request(null, "POST", `/v1/admin/sales/${saleId}/end`, { headers: { authorization: `Bearer ${adminToken}` } });
}

function messageOf(body: Record<string, unknown> | null): string {
  const error = body?.error as { message?: unknown } | undefined;
  return typeof error?.message === "string" ? error.message : "";
}
