import { createHash } from "node:crypto";

import type { CreatedOrder, NewOrder, Platform, StockLevel, StockWrite } from "../../core/platform/index.ts";
import { PlatformError } from "../../core/platform/index.ts";
import {
  DRAFT_ORDER_CREATE,
  DRAFT_ORDER_DELETE,
  DRAFT_ORDER_STATE,
  FIND_DRAFT_ORDER,
  INVENTORY_ADJUST_QUANTITIES,
  INVENTORY_LEVELS,
  INVENTORY_SET_QUANTITIES,
  ORDER_CANCEL,
  ORDER_STATE,
  VARIANTS_OF_ITEMS,
  type CodedUserError,
  type DraftOrderSummary,
  type InventoryMutationPayload,
  type UserError,
} from "./documents.ts";
import { gidType, parseStockRef, stockRef, type StockAt } from "./refs.ts";
import { ShopifyClient, type ShopifyClientOptions } from "./ShopifyClient.ts";
import { variantsOfItems } from "./variants.ts";
import { SHOPIFY_MAX_INPUT } from "./version.ts";

export interface ShopifyPlatformOptions extends ShopifyClientOptions {
  /** Reason recorded with every stock write (one of Shopify's inventory reasons). */
  inventoryReason?: string;
  /** What cancelling a placed order does besides cancelling it; all true by default. */
  cancel?: { restock?: boolean; refund?: boolean; notifyCustomer?: boolean };
}

export interface StockChange {
  ref: string;
  delta: number;
  /** Compare-and-set: the quantity we expect before the change; null skips the check. */
  previous?: number | null;
}

/** A tag search value can hold only plain characters; long or odd order ids are hashed. */
function orderTag(orderId: string): string {
  const safe = /^[A-Za-z0-9_-]{1,64}$/.test(orderId) ? orderId : createHash("sha256").update(orderId).digest("hex").slice(0, 32);
  return `holdfast-order-${safe}`;
}

/** `gid://holdfast/...` names Holdfast in the merchant's inventory history. */
function referenceDocument(idempotencyKey: string): string {
  const safe = /^[A-Za-z0-9_.-]{1,64}$/.test(idempotencyKey) ? idempotencyKey : createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32);
  return `gid://holdfast/StockSync/${safe}`;
}

function assertBatch(size: number, what: string): void {
  if (size > SHOPIFY_MAX_INPUT)
    throw new PlatformError("rejected", `${size} ${what} in one call; Shopify takes at most ${SHOPIFY_MAX_INPUT}`, { code: "batch_too_large" });
}

function assertKey(idempotencyKey: string): void {
  if (!idempotencyKey.trim()) throw new PlatformError("rejected", "an idempotency key cannot be blank", { code: "bad_idempotency_key" });
}

function assertQuantity(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new PlatformError("rejected", `${what} must be an integer, got ${value}`, { code: "bad_quantity" });
}

function describe(errors: readonly UserError[]): string {
  return errors.map((error) => (error.field?.length ? `${error.field.join(".")}: ${error.message}` : error.message)).join("; ");
}

/**
 * Maps inventory mutation userErrors (any of them fails the whole call: Shopify applies all
 * quantities or none):
 *   CHANGE_FROM_QUANTITY_STALE -> conflict (re-read, then write again under a new key)
 *   IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED -> conflict (an earlier try under this key failed, most
 *     likely stale: same remedy)
 *   IDEMPOTENCY_CONCURRENT_REQUEST -> throttled (the first try is still running; retry shortly)
 *   INVALID_INVENTORY_ITEM / INVALID_LOCATION -> not_found; everything else -> rejected
 */
function inventoryError(payload: InventoryMutationPayload): PlatformError | null {
  const errors = payload.userErrors;
  if (errors.length === 0) return null;
  const has = (code: string) => errors.find((error) => error.code === code);
  const message = `Shopify refused the stock write: ${describe(errors)}`;
  const stale = has("CHANGE_FROM_QUANTITY_STALE") ?? has("IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED");
  if (stale) return new PlatformError("conflict", message, { code: stale.code ?? undefined });
  if (has("IDEMPOTENCY_CONCURRENT_REQUEST")) return new PlatformError("throttled", message, { code: "IDEMPOTENCY_CONCURRENT_REQUEST", retryAfterMs: 1_000 });
  const missing = has("INVALID_INVENTORY_ITEM") ?? has("INVALID_LOCATION");
  if (missing) return new PlatformError("not_found", message, { code: missing.code ?? undefined });
  return new PlatformError("rejected", message, { code: errors.find((error) => error.code)?.code ?? undefined });
}

/**
 * The Platform port on Shopify's Admin GraphQL API (version pinned in version.ts), through
 * the official @shopify/admin-api-client.
 *
 * - Stock refs are "InventoryItem gid@Location gid" (refs.ts). Reads ask for the
 *   `available` quantity; writes use inventorySetQuantities with `@idempotent(key:)` and a
 *   `changeFromQuantity` per quantity (StockWrite.previous, or null to skip the check).
 * - Orders (the headless path) are draft orders that reserve stock until
 *   `reserveUntil`; the shopper pays at the draft's invoiceUrl. Draft creation has no
 *   idempotency key on Shopify, so it is never retried blindly: when its answer is lost the
 *   call fails (unavailable) and the job's next try first looks for the draft by the tag it
 *   carries, derived from our order id (Shopify's search index can lag a few seconds behind
 *   a create; the queue's retry backoff is longer than that).
 * - Cancelling deletes an unpaid draft (releasing its reservation) or cancels the placed
 *   order (restock, refund to the original payment methods, notify: configurable). Cancelling
 *   what is already cancelled or deleted succeeds.
 * - Every request waits for the shop's cost budget and runs under the shop's policy
 *   (ShopifyClient). By default the budget's books live in this process (one per shop):
 *   with several worker processes per shop each would keep its own and learn of the others'
 *   spending only from Shopify's answers, so Throttled answers become possible (they are
 *   retried after the wait Shopify reports). Pass a RedisCostBudget to share one set of books
 *   between processes; then the bucket is never overrun either.
 */
export class ShopifyPlatform implements Platform {
  readonly kind = "shopify" as const;
  readonly maxBatch = SHOPIFY_MAX_INPUT;
  private readonly client: ShopifyClient;
  private readonly reason: string;
  private readonly cancelOptions: Required<NonNullable<ShopifyPlatformOptions["cancel"]>>;

  constructor(options: ShopifyPlatformOptions) {
    this.client = new ShopifyClient(options);
    this.reason = options.inventoryReason ?? "correction";
    this.cancelOptions = { restock: true, refund: true, notifyCustomer: true, ...options.cancel };
  }

  get shopDomain(): string {
    return this.client.shopDomain;
  }

  /** Available quantities; refs Shopify no longer knows (deleted item, not stocked there) are left out. */
  async readStock(refs: readonly string[]): Promise<StockLevel[]> {
    assertBatch(refs.length, "stock refs");
    const parsed = refs.map(parseStockRef);
    const byLocation = new Map<string, string[]>();
    for (const at of parsed) {
      const items = byLocation.get(at.locationId) ?? [];
      if (!items.includes(at.inventoryItemId)) items.push(at.inventoryItemId);
      byLocation.set(at.locationId, items);
    }
    const found = new Map<string, number>();
    for (const [locationId, itemIds] of byLocation) {
      const data = await this.client.run(INVENTORY_LEVELS, { itemIds, locationId });
      for (const node of data.nodes) {
        if (!node || !("id" in node)) continue;
        const available = node.inventoryLevel?.quantities.find((quantity) => quantity.name === "available");
        if (available) found.set(stockRef({ inventoryItemId: node.id, locationId }), available.quantity);
      }
    }
    return refs.flatMap((ref) => {
      const available = found.get(ref);
      return available === undefined ? [] : [{ ref, available }];
    });
  }

  async writeStock(writes: readonly StockWrite[], idempotencyKey: string): Promise<void> {
    assertBatch(writes.length, "stock writes");
    assertKey(idempotencyKey);
    if (writes.length === 0) return;
    const quantities = writes.map((write) => {
      assertQuantity(write.available, "available");
      if (write.available < 0) throw new PlatformError("rejected", `available cannot be negative (${write.ref})`, { code: "bad_quantity" });
      if (write.previous !== undefined && write.previous !== null) assertQuantity(write.previous, "previous");
      return { ...parseStockRef(write.ref), quantity: write.available, changeFromQuantity: write.previous ?? null };
    });
    const data = await this.client.run(INVENTORY_SET_QUANTITIES, {
      idempotencyKey,
      input: { name: "available", reason: this.reason, referenceDocumentUri: referenceDocument(idempotencyKey), quantities },
    });
    this.checkInventoryPayload(data.inventorySetQuantities);
  }

  /** Relative changes (a merchant's restock), with the same idempotency and compare-and-set rules. */
  async adjustStock(changes: readonly StockChange[], idempotencyKey: string): Promise<void> {
    assertBatch(changes.length, "stock changes");
    assertKey(idempotencyKey);
    if (changes.length === 0) return;
    const input = changes.map((change) => {
      assertQuantity(change.delta, "delta");
      return { ...parseStockRef(change.ref), delta: change.delta, changeFromQuantity: change.previous ?? null };
    });
    const data = await this.client.run(INVENTORY_ADJUST_QUANTITIES, {
      idempotencyKey,
      input: { name: "available", reason: this.reason, referenceDocumentUri: referenceDocument(idempotencyKey), changes: input },
    });
    this.checkInventoryPayload(data.inventoryAdjustQuantities);
  }

  private checkInventoryPayload(payload: InventoryMutationPayload | null): void {
    if (!payload) throw new PlatformError("unavailable", "Shopify answered the stock write without a payload");
    const error = inventoryError(payload);
    if (error) throw error;
  }

  /** A draft order reserving the lines until `reserveUntil`; the shopper pays at `paymentUrl`. */
  async createOrder(order: NewOrder): Promise<CreatedOrder> {
    if (order.lines.length === 0) throw new PlatformError("rejected", "an order needs at least one line", { code: "empty_order" });
    assertBatch(order.lines.length, "order lines");
    for (const line of order.lines) {
      assertQuantity(line.quantity, "quantity");
      if (line.quantity < 1) throw new PlatformError("rejected", `quantity must be at least 1 (${line.ref})`, { code: "bad_quantity" });
    }
    const tag = orderTag(order.orderId);
    const existing = await this.client.run(FIND_DRAFT_ORDER, { query: `tag:${tag}` });
    const found = existing.draftOrders.nodes[0];
    if (found) return created(found);

    const variants = await this.variantsOf(order.lines.map((line) => line.ref));
    const data = await this.client.run(DRAFT_ORDER_CREATE, {
      input: {
        lineItems: order.lines.map((line) => ({ variantId: variants.get(line.ref)!, quantity: line.quantity })),
        ...(order.customer?.email ? { email: order.customer.email } : {}),
        ...(order.customer?.name ? { note: `Holdfast order ${order.orderId} for ${order.customer.name}` } : {}),
        tags: [tag],
        customAttributes: [{ key: "holdfast_order_id", value: order.orderId }],
        ...(order.reserveUntil ? { reserveInventoryUntil: order.reserveUntil.toISOString() } : {}),
      },
    });
    const payload = data.draftOrderCreate;
    if (payload?.userErrors.length)
      throw new PlatformError("rejected", `Shopify refused the draft order: ${describe(payload.userErrors)}`, { code: "draft_order_rejected" });
    if (!payload?.draftOrder) throw new PlatformError("unavailable", "Shopify answered draftOrderCreate without a draft order");
    return created(payload.draftOrder);
  }

  /** Order lines may name variants directly (ProductVariant gid) or by stock ref. */
  private async variantsOf(refs: readonly string[]): Promise<Map<string, string>> {
    const variants = new Map<string, string>();
    const byItem = new Map<string, string[]>();
    for (const ref of refs) {
      if (gidType(ref) === "ProductVariant") {
        variants.set(ref, ref);
        continue;
      }
      const at: StockAt = parseStockRef(ref);
      byItem.set(at.inventoryItemId, [...(byItem.get(at.inventoryItemId) ?? []), ref]);
    }
    if (byItem.size === 0) return variants;
    const ofItem = await variantsOfItems((variables) => this.client.run(VARIANTS_OF_ITEMS, variables), byItem.keys());
    for (const [item, variant] of ofItem) for (const ref of byItem.get(item) ?? []) variants.set(ref, variant);
    const missing = refs.filter((ref) => !variants.has(ref));
    if (missing.length > 0) throw new PlatformError("not_found", `no Shopify variant for ${missing.join(", ")}`);
    return variants;
  }

  async cancelOrder(platformOrderRef: string, reason: string): Promise<void> {
    const type = gidType(platformOrderRef);
    if (type === "DraftOrder") return this.cancelDraftOrder(platformOrderRef, reason);
    if (type === "Order") return this.cancelPlacedOrder(platformOrderRef, reason);
    throw new PlatformError("rejected", `not a Shopify order or draft order id: ${JSON.stringify(platformOrderRef)}`, { code: "bad_ref" });
  }

  private async cancelDraftOrder(id: string, reason: string): Promise<void> {
    const { draftOrder } = await this.client.run(DRAFT_ORDER_STATE, { id });
    if (!draftOrder) return; // deleted already
    if (draftOrder.status === "COMPLETED") {
      if (!draftOrder.order) throw new PlatformError("conflict", `draft order ${id} is completed but its order is not visible yet`);
      if (draftOrder.order.cancelledAt) return;
      return this.cancelPlacedOrder(draftOrder.order.id, reason);
    }
    const data = await this.client.run(DRAFT_ORDER_DELETE, { input: { id } });
    const payload = data.draftOrderDelete;
    if (payload?.deletedId) return;
    // A concurrent delete (or an earlier attempt that timed out) leaves nothing to delete.
    const { draftOrder: still } = await this.client.run(DRAFT_ORDER_STATE, { id });
    if (!still) return;
    throw new PlatformError("rejected", `Shopify refused to delete draft order ${id}: ${describe(payload?.userErrors ?? [])}`, {
      code: "draft_order_delete_rejected",
    });
  }

  private async cancelPlacedOrder(orderId: string, reason: string): Promise<void> {
    const data = await this.client.run(ORDER_CANCEL, {
      orderId,
      reason: "OTHER",
      restock: this.cancelOptions.restock,
      notifyCustomer: this.cancelOptions.notifyCustomer,
      refundMethod: this.cancelOptions.refund ? { originalPaymentMethodsRefund: true } : null,
      staffNote: reason ? `Holdfast: ${reason}`.slice(0, 255) : null,
    });
    const errors: CodedUserError[] = data.orderCancel?.orderCancelUserErrors ?? [];
    if (errors.length === 0) {
      if (!data.orderCancel) throw new PlatformError("unavailable", "Shopify answered orderCancel without a payload");
      return;
    }
    if (errors.some((error) => error.code === "NOT_FOUND")) throw new PlatformError("not_found", `Shopify has no order ${orderId}`, { code: "NOT_FOUND" });
    // "Already cancelled" is success for us (a retried cancel); Shopify reports it as INVALID.
    const { order } = await this.client.run(ORDER_STATE, { id: orderId });
    if (order?.cancelledAt) return;
    if (!order) throw new PlatformError("not_found", `Shopify has no order ${orderId}`);
    const retry = errors.some((error) => error.code === "INTERNAL_ERROR");
    throw new PlatformError(retry ? "unavailable" : "rejected", `Shopify refused to cancel ${orderId}: ${describe(errors)}`, {
      code: errors.find((error) => error.code)?.code ?? undefined,
    });
  }
}

function created(draft: DraftOrderSummary): CreatedOrder {
  return { platformOrderRef: draft.id, ...(draft.invoiceUrl ? { paymentUrl: draft.invoiceUrl } : {}) };
}
