import { setTimeout as sleep } from "node:timers/promises";

import { getDirectiveValues, GraphQLError, type GraphQLResolveInfo, type GraphQLSchema } from "graphql";

import type { DraftOrder, Item, Level, Order, ShopState } from "./ShopState.ts";

/**
 * What the stand-in executes: the handful of Admin API fields the adapter uses, with the
 * rules Shopify documents for them (2026-04). Anything else answers "not implemented" loudly.
 */

type Args = Record<string, unknown>;
type UserError = { field: string[] | null; message: string; code?: string | null };

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)$/;

export function gid(type: string, id: number): string {
  return `gid://shopify/${type}/${id}`;
}

/** The numeric id of a gid of `type`, or null. Ill-formed ids are a top-level error, as on Shopify. */
function idOf(value: unknown, type: string): number | null {
  const match = typeof value === "string" ? GID.exec(value) : null;
  if (!match) throw new GraphQLError(`Invalid global id '${String(value)}'`, { extensions: { code: "argumentLiteralsIncompatible" } });
  return match[1] === type ? Number(match[2]) : null;
}

/** Shopify's inventory reasons (set and adjust). */
const REASONS = new Set([
  "correction",
  "cycle_count_available",
  "damaged",
  "movement_created",
  "movement_updated",
  "movement_received",
  "movement_canceled",
  "other",
  "promotion",
  "quality_control",
  "received",
  "reservation_created",
  "reservation_deleted",
  "reservation_updated",
  "restock",
  "safety_stock",
  "shrinkage",
]);

/** A URI with a scheme; a gid:// one needs app, entity and id. */
function validDocumentUri(uri: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(uri)) return false;
  if (uri.startsWith("gid://")) return /^gid:\/\/[^/\s]+\/[^/\s]+\/[^/\s]+$/.test(uri);
  return true;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Args)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

function idempotencyKeyOf(schema: GraphQLSchema, info: GraphQLResolveInfo): string | null {
  const directive = schema.getDirective("idempotent");
  const node = info.fieldNodes[0];
  if (!directive || !node) return null;
  const values = getDirectiveValues(directive, node, info.variableValues);
  return typeof values?.key === "string" ? values.key : null;
}

/**
 * Runs an @idempotent mutation: the key is required (2026-04) and not blank; the same key
 * with the same arguments answers the first result without applying again, or
 * IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED if the first attempt failed; the same key with other
 * arguments answers IDEMPOTENCY_KEY_PARAMETER_MISMATCH; a key whose first request is still
 * running answers IDEMPOTENCY_CONCURRENT_REQUEST.
 */
async function idempotent<P extends { userErrors: UserError[] }>(
  shop: ShopState,
  schema: GraphQLSchema,
  info: GraphQLResolveInfo,
  args: Args,
  empty: Omit<P, "userErrors">,
  apply: () => P,
): Promise<P> {
  const key = idempotencyKeyOf(schema, info);
  if (key === null) {
    throw new GraphQLError(`The @idempotent directive is required for ${info.fieldName} from API version 2026-04.`, { extensions: { code: "BAD_REQUEST" } });
  }
  if (!key.trim()) throw new GraphQLError("The idempotency key cannot be an empty string or whitespace only.", { extensions: { code: "BAD_REQUEST" } });
  const fingerprint = `${info.fieldName}:${canonical(args)}`;
  const refuse = (code: string, message: string) => ({ ...empty, userErrors: [{ code, field: null, message }] }) as P;
  const record = shop.idempotency.get(key);
  if (record) {
    if (record.fingerprint !== fingerprint)
      return refuse("IDEMPOTENCY_KEY_PARAMETER_MISMATCH", "The same idempotency key cannot be used with different operation parameters.");
    if (record.state === "running") return refuse("IDEMPOTENCY_CONCURRENT_REQUEST", "This request is currently in progress, please try again.");
    if (record.failed)
      return refuse("IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED", "A previous request with this idempotency key failed. Retry with a new idempotency key.");
    shop.stats.replays++;
    return record.payload as P;
  }
  const entry = { fingerprint, state: "running" as "running" | "done", failed: false, payload: null as unknown };
  shop.idempotency.set(key, entry);
  if (shop.mutationDelayMs > 0) await sleep(shop.mutationDelayMs);
  const payload = apply();
  entry.state = "done";
  entry.failed = payload.userErrors.length > 0;
  entry.payload = payload;
  return payload;
}

// ------------------------------------------------------------------------------- objects

function inventoryItem(shop: ShopState, item: Item) {
  return {
    __typename: "InventoryItem",
    id: gid("InventoryItem", item.id),
    tracked: true,
    inventoryLevel: ({ locationId }: Args) => {
      const location = idOf(locationId, "Location");
      const level = location === null ? undefined : item.levels.get(location);
      return level && location !== null ? inventoryLevel(shop, item, location, level) : null;
    },
    variants: ({ first }: Args) => connection([{ __typename: "ProductVariant", id: gid("ProductVariant", item.variantId) }], first),
  };
}

function inventoryLevel(shop: ShopState, item: Item, locationId: number, level: Level) {
  return {
    __typename: "InventoryLevel",
    id: `gid://shopify/InventoryLevel/${locationId}?inventory_item_id=${item.id}`,
    location: { __typename: "Location", id: gid("Location", locationId) },
    item: () => inventoryItem(shop, item),
    quantities: ({ names }: Args) =>
      (names as string[]).map((name) => {
        const values: Record<string, number> = { available: level.available, on_hand: level.onHand, reserved: level.reserved, committed: 0 };
        if (!(name in values)) throw new GraphQLError(`The quantity name '${name}' is not supported by the stand-in`);
        return { __typename: "InventoryQuantity", id: `gid://shopify/InventoryQuantity/${item.id}-${locationId}-${name}`, name, quantity: values[name] };
      }),
  };
}

function connection<T>(all: T[], first: unknown) {
  const nodes = all.slice(0, typeof first === "number" ? first : all.length);
  return {
    nodes,
    edges: nodes.map((node, index) => ({ cursor: String(index), node })),
    pageInfo: {
      hasNextPage: nodes.length < all.length,
      hasPreviousPage: false,
      startCursor: nodes.length ? "0" : null,
      endCursor: nodes.length ? String(nodes.length - 1) : null,
    },
  };
}

function draftOrderObject(shop: ShopState, draft: DraftOrder) {
  return {
    __typename: "DraftOrder",
    id: gid("DraftOrder", draft.id),
    name: `#D${draft.id}`,
    status: draft.status,
    tags: draft.tags,
    email: draft.email,
    note2: draft.note,
    customAttributes: draft.customAttributes,
    reserveInventoryUntil: draft.reserveInventoryUntil,
    invoiceUrl: `https://${shop.domain}/1/invoices/${draft.invoiceToken}`,
    createdAt: draft.createdAt,
    order: () => {
      const order = draft.orderId === null ? undefined : shop.orders.get(draft.orderId);
      return order ? orderObject(order) : null;
    },
  };
}

function orderObject(order: Order) {
  return {
    __typename: "Order",
    id: gid("Order", order.id),
    name: `#${order.id}`,
    cancelledAt: order.cancelledAt,
    cancelReason: order.cancelReason,
    closed: false,
  };
}

function adjustmentGroup(shop: ShopState, reason: string, referenceDocumentUri: unknown) {
  return {
    __typename: "InventoryAdjustmentGroup",
    id: gid("InventoryAdjustmentGroup", shop.id()),
    reason,
    referenceDocumentUri: referenceDocumentUri ?? null,
    createdAt: new Date().toISOString(),
  };
}

// ------------------------------------------------------------------------------- inventory

interface QuantityInput {
  inventoryItemId: string;
  locationId: string;
  quantity?: number;
  delta?: number;
  changeFromQuantity?: number | null;
  ledgerDocumentUri?: string | null;
}

/** Validates and applies a set (absolute) or adjust (delta) request: all or nothing. */
function applyInventory(shop: ShopState, kind: "set" | "adjust", input: Args) {
  const errors: UserError[] = [];
  const listName = kind === "set" ? "quantities" : "changes";
  const name = input.name as string;
  if (name !== "available" && name !== "on_hand") {
    errors.push({
      code: kind === "set" ? "INVALID_NAME" : "INVALID_QUANTITY_NAME",
      field: ["input", "name"],
      message: `The quantity name '${name}' is not valid.`,
    });
  }
  if (!REASONS.has(input.reason as string)) errors.push({ code: "INVALID_REASON", field: ["input", "reason"], message: "The specified reason is invalid." });
  if (input.referenceDocumentUri != null && !validDocumentUri(input.referenceDocumentUri as string)) {
    errors.push({ code: "INVALID_REFERENCE_DOCUMENT", field: ["input", "referenceDocumentUri"], message: "The specified reference document is invalid." });
  }
  const entries = input[listName] as QuantityInput[];
  const seen = new Set<string>();
  const planned: { level: Level; next: number }[] = [];
  entries.forEach((entry, index) => {
    const field = (...rest: string[]) => ["input", listName, String(index), ...rest];
    if (!("changeFromQuantity" in entry)) {
      errors.push({ code: null, field: field("changeFromQuantity"), message: "changeFromQuantity is required. Pass null to skip the compare-and-swap check." });
      return;
    }
    if (kind === "adjust" && name === "available" && entry.ledgerDocumentUri != null) {
      errors.push({
        code: "INVALID_AVAILABLE_DOCUMENT",
        field: field("ledgerDocumentUri"),
        message: "A ledger document URI is not allowed when adjusting available.",
      });
    }
    const pair = `${entry.inventoryItemId}|${entry.locationId}`;
    if (seen.has(pair)) {
      errors.push({
        code: kind === "set" ? "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR" : null,
        field: field(),
        message: "The combination of inventoryItemId and locationId must be unique.",
      });
      return;
    }
    seen.add(pair);
    const itemId = idOf(entry.inventoryItemId, "InventoryItem");
    const locationId = idOf(entry.locationId, "Location");
    const item = itemId === null ? undefined : shop.items.get(itemId);
    if (!item) {
      errors.push({ code: "INVALID_INVENTORY_ITEM", field: field("inventoryItemId"), message: "The specified inventory item could not be found." });
      return;
    }
    if (locationId === null || !shop.locations.has(locationId)) {
      errors.push({ code: "INVALID_LOCATION", field: field("locationId"), message: "The specified location could not be found." });
      return;
    }
    const level = item.levels.get(locationId);
    if (!level) {
      errors.push({
        code: "ITEM_NOT_STOCKED_AT_LOCATION",
        field: field("locationId"),
        message: "The specified inventory item is not stocked at the location.",
      });
      return;
    }
    const current = name === "on_hand" ? level.onHand : level.available;
    if (entry.changeFromQuantity !== null && entry.changeFromQuantity !== undefined && entry.changeFromQuantity !== current) {
      errors.push({
        code: "CHANGE_FROM_QUANTITY_STALE",
        field: field("changeFromQuantity"),
        message: "The changeFromQuantity value does not match persisted value.",
      });
      return;
    }
    const next = kind === "set" ? entry.quantity! : current + entry.delta!;
    const limit = kind === "set" ? 1_000_000_000 : 2_000_000_000;
    if (kind === "set" && next < 0) errors.push({ code: "INVALID_QUANTITY_NEGATIVE", field: field("quantity"), message: "The quantity can't be negative." });
    else if (next > limit)
      errors.push({ code: "INVALID_QUANTITY_TOO_HIGH", field: field(kind === "set" ? "quantity" : "delta"), message: "The quantity is too high." });
    else if (next < -limit) errors.push({ code: "INVALID_QUANTITY_TOO_LOW", field: field("delta"), message: "The quantity is too low." });
    else planned.push({ level, next });
  });
  if (errors.length > 0) return { inventoryAdjustmentGroup: null, userErrors: errors };
  for (const { level, next } of planned) {
    const delta = next - (name === "on_hand" ? level.onHand : level.available);
    level.available += delta;
    level.onHand += delta;
  }
  return { inventoryAdjustmentGroup: adjustmentGroup(shop, input.reason as string, input.referenceDocumentUri), userErrors: [] };
}

// ------------------------------------------------------------------------------- orders

function createDraftOrder(shop: ShopState, input: Args) {
  const errors: UserError[] = [];
  const lines = (input.lineItems as { variantId?: string | null; quantity: number }[] | undefined) ?? [];
  if (lines.length === 0) errors.push({ field: ["lineItems"], message: "Add at least 1 product" });
  const resolved: { item: Item; quantity: number; variantId: number }[] = [];
  lines.forEach((line, index) => {
    const variantId = line.variantId == null ? null : idOf(line.variantId, "ProductVariant");
    const item = variantId === null ? undefined : shop.itemOfVariant(variantId);
    if (!item || variantId === null)
      errors.push({ field: ["lineItems", String(index), "variantId"], message: `Product with ID ${String(line.variantId)} is no longer available.` });
    else if (line.quantity < 1) errors.push({ field: ["lineItems", String(index), "quantity"], message: "Quantity must be greater than or equal to 1" });
    else resolved.push({ item, quantity: line.quantity, variantId });
  });
  let reserveUntil: string | null = null;
  if (input.reserveInventoryUntil != null) {
    const at = Date.parse(input.reserveInventoryUntil as string);
    if (!Number.isFinite(at)) errors.push({ field: ["reserveInventoryUntil"], message: "Reserve inventory until is invalid" });
    else if (at <= Date.now()) errors.push({ field: ["reserveInventoryUntil"], message: "Reserve inventory until must be in the future" });
    else reserveUntil = new Date(at).toISOString();
  }
  if (errors.length > 0) return { draftOrder: null, userErrors: errors };
  const draft: DraftOrder = {
    id: shop.id(),
    status: "OPEN",
    lines: resolved.map(({ variantId, quantity }) => ({ variantId, quantity })),
    tags: ((input.tags as string[] | undefined) ?? []).map((tag) => tag.trim()),
    email: (input.email as string | undefined) ?? null,
    note: (input.note as string | undefined) ?? null,
    customAttributes: (input.customAttributes as { key: string; value: string }[] | undefined) ?? [],
    reserveInventoryUntil: reserveUntil,
    reservations: [],
    invoiceToken: shop.invoiceToken(),
    orderId: null,
    createdAt: new Date().toISOString(),
  };
  if (reserveUntil) {
    // The reserved units leave `available` for the first location that stocks the item.
    for (const { item, quantity } of resolved) {
      const [locationId, level] = [...item.levels.entries()][0] ?? [];
      if (locationId === undefined || !level) continue;
      level.available -= quantity;
      level.reserved += quantity;
      draft.reservations.push({ itemId: item.id, locationId, quantity });
    }
  }
  shop.draftOrders.set(draft.id, draft);
  return { draftOrder: draftOrderObject(shop, draft), userErrors: [] };
}

function deleteDraftOrder(shop: ShopState, input: Args) {
  const id = idOf(input.id, "DraftOrder");
  const draft = id === null ? undefined : shop.draftOrders.get(id);
  if (!draft) return { deletedId: null, userErrors: [{ field: ["id"], message: "Draft order not found" }] };
  if (draft.status === "COMPLETED") return { deletedId: null, userErrors: [{ field: ["id"], message: "Completed draft orders cannot be deleted" }] };
  for (const r of draft.reservations) {
    const level = shop.level(r.itemId, r.locationId);
    if (!level) continue;
    level.available += r.quantity;
    level.reserved -= r.quantity;
  }
  shop.draftOrders.delete(draft.id);
  return { deletedId: gid("DraftOrder", draft.id), userErrors: [] };
}

function cancelOrder(shop: ShopState, args: Args) {
  const fail = (code: string, field: string[], message: string) => ({
    job: null,
    orderCancelUserErrors: [{ code, field, message }],
    userErrors: [{ field, message }],
  });
  const id = idOf(args.orderId, "Order");
  const order = id === null ? undefined : shop.orders.get(id);
  if (!order) return fail("NOT_FOUND", ["orderId"], "Order does not exist");
  if (order.cancelledAt) return fail("INVALID", ["orderId"], "Cannot cancel an order that has already been cancelled");
  if (args.refund != null && args.refundMethod != null) return fail("INVALID", ["refund"], "Use either refund or refundMethod, not both");
  if (typeof args.staffNote === "string" && args.staffNote.length > 255)
    return fail("INVALID", ["staffNote"], "Staff note is too long (maximum is 255 characters)");
  order.cancelledAt = new Date().toISOString();
  order.cancelReason = args.reason as string;
  order.staffNote = (args.staffNote as string | null | undefined) ?? null;
  order.restocked = args.restock === true;
  order.refunded = args.refund === true || (args.refundMethod as Args | null | undefined)?.originalPaymentMethodsRefund === true;
  order.notified = args.notifyCustomer === true;
  if (order.restocked) {
    for (const line of order.lines) {
      const level = shop.level(line.itemId, line.locationId);
      if (level) level.available += line.quantity;
    }
  }
  return { job: { __typename: "Job", id: gid("Job", shop.id()), done: false }, orderCancelUserErrors: [], userErrors: [] };
}

/** `tag:value`, `tag:'value'` or `tag:"value"` terms (AND); other terms are ignored. */
function matchesQuery(draft: DraftOrder, query: unknown): boolean {
  if (typeof query !== "string" || !query.trim()) return true;
  const tags = [...query.matchAll(/tag:(?:'([^']*)'|"([^"]*)"|(\S+))/g)].map((m) => (m[1] ?? m[2] ?? m[3] ?? "").toLowerCase());
  return tags.every((tag) => draft.tags.some((own) => own.toLowerCase() === tag));
}

// ------------------------------------------------------------------------------- the root

export function rootValue(shop: ShopState, schema: GraphQLSchema): Record<string, unknown> {
  return {
    nodes: ({ ids }: Args) =>
      (ids as string[]).map((value) => {
        const match = GID.exec(value);
        if (!match) throw new GraphQLError(`Invalid global id '${value}'`, { extensions: { code: "argumentLiteralsIncompatible" } });
        const id = Number(match[2]);
        switch (match[1]) {
          case "InventoryItem": {
            const item = shop.items.get(id);
            return item ? inventoryItem(shop, item) : null;
          }
          case "DraftOrder": {
            const draft = shop.draftOrders.get(id);
            return draft ? draftOrderObject(shop, draft) : null;
          }
          case "Order": {
            const order = shop.orders.get(id);
            return order ? orderObject(order) : null;
          }
          default:
            return null;
        }
      }),
    inventoryItem: ({ id }: Args) => {
      const itemId = idOf(id, "InventoryItem");
      const item = itemId === null ? undefined : shop.items.get(itemId);
      return item ? inventoryItem(shop, item) : null;
    },
    draftOrder: ({ id }: Args) => {
      const draftId = idOf(id, "DraftOrder");
      const draft = draftId === null ? undefined : shop.draftOrders.get(draftId);
      return draft ? draftOrderObject(shop, draft) : null;
    },
    draftOrders: ({ first, last, query }: Args) => {
      if (first == null && last == null) throw new GraphQLError("you must provide one of first or last", { extensions: { code: "BAD_REQUEST" } });
      const size = (first ?? last) as number;
      if (size > 250) throw new GraphQLError("first cannot exceed 250", { extensions: { code: "BAD_REQUEST" } });
      const matching = [...shop.draftOrders.values()].filter((draft) => matchesQuery(draft, query)).map((draft) => draftOrderObject(shop, draft));
      return connection(matching, size);
    },
    order: ({ id }: Args) => {
      const orderId = idOf(id, "Order");
      const order = orderId === null ? undefined : shop.orders.get(orderId);
      return order ? orderObject(order) : null;
    },
    inventorySetQuantities: (args: Args, _context: unknown, info: GraphQLResolveInfo) =>
      idempotent(shop, schema, info, args, { inventoryAdjustmentGroup: null }, () => applyInventory(shop, "set", args.input as Args)),
    inventoryAdjustQuantities: (args: Args, _context: unknown, info: GraphQLResolveInfo) =>
      idempotent(shop, schema, info, args, { inventoryAdjustmentGroup: null }, () => applyInventory(shop, "adjust", args.input as Args)),
    draftOrderCreate: ({ input }: Args) => createDraftOrder(shop, input as Args),
    draftOrderDelete: ({ input }: Args) => deleteDraftOrder(shop, input as Args),
    orderCancel: (args: Args) => cancelOrder(shop, args),
  };
}
