import { systemClock, type Clock } from "../../core/clock.ts";
import { silentLogger, type Logger } from "../../core/logger.ts";
import { PlatformError, type CreatedOrder, type NewOrder, type Platform, type StockLevel, type StockWrite } from "../../core/platform/index.ts";
import { WooRestClient, type WooCredentials } from "./client.ts";
import { WooBatchItemsError, wooItemError, type WooItemFailure } from "./errors.ts";
import { adjustStockThroughPlugin, type StockAdjustment } from "./pluginStock.ts";
import { chunk, parseWooId, parseWooRef, productRef, variationRef, type WooRef } from "./refs.ts";

/** WooCommerce refuses a batch of more than 100 items (413 woocommerce_rest_request_entity_too_large). */
export const WOO_BATCH_LIMIT = 100;
/** The order meta that carries our order id: how a retried createOrder finds the first attempt. */
export const HOLDFAST_ORDER_META = "holdfast_order_id";
/** Set on an order we created and then voided (a line lost its product); lookups skip it. */
export const HOLDFAST_VOID_META = "holdfast_voided";
export const HOLDFAST_CANCEL_REASON_META = "holdfast_cancel_reason";

export interface WooCommerceOptions extends WooCredentials {
  /** Deadline for one read or order call. Default 5 s. */
  timeoutMs?: number;
  /**
   * Deadline for one batch write. Default 15 s: WooCommerce saves the 100 products of a batch one
   * by one, with every save hook, and a busy shared host can take well over 5 s for that.
   */
  batchTimeoutMs?: number;
  /** Items per batch call, at most 100; lower it for slow hosts. */
  batchSize?: number;
  clock?: Clock;
  logger?: Logger;
  /**
   * The store's connector secret, once the Holdfast plugin ran Connect: stock writes that carry
   * `previous` then go through the plugin as relative changes (pluginStock.ts).
   */
  connectorSecret?: string;
}

interface WooMeta {
  key: string;
  value: unknown;
}

interface WooOrder {
  id: number;
  status: string;
  payment_url?: string;
  meta_data: WooMeta[];
  line_items: Array<{ product_id: number; variation_id: number; quantity: number }>;
}

function records(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => typeof item === "object" && item !== null) : [];
}

function asOrder(value: unknown): WooOrder {
  const record = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  if (typeof record.id !== "number")
    throw new PlatformError("unavailable", "WooCommerce answered an order without an id", { code: "holdfast_invalid_response" });
  return {
    id: record.id,
    status: typeof record.status === "string" ? record.status : "",
    payment_url: typeof record.payment_url === "string" && record.payment_url !== "" ? record.payment_url : undefined,
    meta_data: records(record.meta_data).map((meta) => ({ key: String(meta.key), value: meta.value })),
    line_items: records(record.line_items).map((line) => ({
      product_id: Number(line.product_id ?? 0),
      variation_id: Number(line.variation_id ?? 0),
      quantity: Number(line.quantity ?? 0),
    })),
  };
}

function metaValue(order: WooOrder, key: string): string | undefined {
  const meta = order.meta_data.find((entry) => entry.key === key);
  return meta === undefined ? undefined : String(meta.value);
}

/** Units WooCommerce will sell, or null when it tracks no quantity for the item. */
function trackedQuantity(item: Record<string, unknown>): number | null {
  return item.manage_stock !== false && typeof item.stock_quantity === "number" ? item.stock_quantity : null;
}

/**
 * The WooCommerce adapter: REST v3 through the official client.
 *
 * - Stock lives on products ("123") and variations ("123:456"); reads and writes go through the
 *   list and batch endpoints, at most `maxBatch` (<= 100) items a call, split here as well.
 * - With the Holdfast plugin connected (`connectorSecret`), a write that carries `previous` is
 *   sent to the plugin as the change `available - previous` (pluginStock.ts): a sale WooCommerce
 *   made since `previous` is kept instead of overwritten. Otherwise writes set
 *   `manage_stock: true` with an absolute `stock_quantity`: WooCommerce ignores a quantity on an
 *   item that does not manage stock. Absolute writes make a retry harmless, so the idempotency
 *   key is not sent (WooCommerce has no such header, and no compare-and-set).
 * - Orders: WooCommerce has no idempotency keys. Each order carries our id in the meta
 *   `holdfast_order_id`; before creating, we search for it (WooCommerce core searches billing
 *   email and names, and the meta keys the Holdfast plugin registers as searchable) and check the
 *   meta of every hit, so a retry after a lost answer returns the first order instead of a second.
 * - Every failure is a PlatformError whose kind says whether to retry; WooCommerce's `code` is kept.
 */
export class WooCommercePlatform implements Platform {
  readonly kind = "woocommerce" as const;
  readonly maxBatch: number;
  readonly relativeStockWrites: boolean;

  private readonly client: WooRestClient;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly batchTimeoutMs: number;
  private readonly site: { url: string; connectorSecret: string } | null;
  /** Concurrent createOrder calls for one order id in this process share one attempt. */
  private readonly creating = new Map<string, Promise<CreatedOrder>>();

  constructor(options: WooCommerceOptions) {
    const url = new URL(options.url);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`WooCommerce URL must be http(s): ${options.url}`);
    if (!options.consumerKey || !options.consumerSecret) throw new Error("WooCommerce consumer key and secret are required");
    const batchSize = options.batchSize ?? WOO_BATCH_LIMIT;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > WOO_BATCH_LIMIT) {
      throw new Error(`WooCommerce batch size must be an integer from 1 to ${WOO_BATCH_LIMIT}`);
    }
    this.maxBatch = batchSize;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.batchTimeoutMs = options.batchTimeoutMs ?? 15_000;
    this.client = new WooRestClient(options, this.clock);
    this.site = options.connectorSecret ? { url: options.url, connectorSecret: options.connectorSecret } : null;
    this.relativeStockWrites = this.site !== null;
  }

  async readStock(refs: readonly string[]): Promise<StockLevel[]> {
    const parsed = [...new Set(refs)].map(parseWooRef);
    const { products, variationsByParent } = group(parsed);
    const found = new Map<string, number>();

    for (const ids of chunk(products, this.maxBatch)) {
      const items = await this.client.get("products", this.listQuery(ids, "id,manage_stock,stock_quantity"), this.timeoutMs);
      for (const item of records(items)) {
        const quantity = trackedQuantity(item);
        if (quantity !== null) found.set(productRef(Number(item.id)), quantity);
      }
    }
    for (const [parentId, ids] of variationsByParent) {
      for (const part of chunk(ids, this.maxBatch)) {
        let items: unknown;
        try {
          items = await this.client.get(`products/${parentId}/variations`, this.listQuery(part, "id,manage_stock,stock_quantity"), this.timeoutMs);
        } catch (error) {
          // The parent is gone: its variations are simply not found, like any deleted item.
          if (error instanceof PlatformError && error.kind === "not_found") continue;
          throw error;
        }
        for (const item of records(items)) {
          const quantity = trackedQuantity(item);
          if (quantity !== null) found.set(variationRef(parentId, Number(item.id)), quantity);
        }
      }
    }
    // Refs the store no longer has, or whose stock it does not track, are left out.
    return parsed.flatMap((ref) => {
      const available = found.get(ref.ref);
      return available === undefined ? [] : [{ ref: ref.ref, available }];
    });
  }

  async writeStock(writes: readonly StockWrite[], idempotencyKey: string): Promise<void> {
    const latest = new Map<string, number>();
    const relative = new Map<string, StockAdjustment>();
    for (const write of writes) {
      if (!Number.isSafeInteger(write.available)) {
        throw new PlatformError("rejected", `stock for ${write.ref} must be an integer, got ${write.available}`, { code: "holdfast_invalid_quantity" });
      }
      parseWooRef(write.ref);
      // With the plugin and a known base, the change is sent, not the total; without a base
      // (the first write of an item) only an absolute write is possible.
      if (this.site && typeof write.previous === "number" && Number.isSafeInteger(write.previous)) {
        latest.delete(write.ref);
        relative.set(write.ref, { ref: write.ref, from: write.previous, to: write.available });
      } else {
        relative.delete(write.ref);
        latest.set(write.ref, write.available);
      }
    }
    const parsed = [...latest.keys()].map(parseWooRef);
    const { products, variationsByParent } = group(parsed);
    const failures: WooItemFailure[] = [];
    if (this.site && relative.size > 0) {
      failures.push(
        ...(await adjustStockThroughPlugin(this.site, [...relative.values()], idempotencyKey, { timeoutMs: this.batchTimeoutMs, clock: this.clock })),
      );
    }

    for (const ids of chunk(products, this.maxBatch)) {
      const update = ids.map((id) => ({ id, manage_stock: true, stock_quantity: latest.get(productRef(id)) }));
      const answer = await this.client.post("products/batch", { update }, this.batchTimeoutMs);
      failures.push(...this.itemFailures(answer, ids, productRef));
    }
    for (const [parentId, ids] of variationsByParent) {
      for (const part of chunk(ids, this.maxBatch)) {
        const update = part.map((id) => ({ id, manage_stock: true, stock_quantity: latest.get(variationRef(parentId, id)) }));
        const answer = await this.client.post(`products/${parentId}/variations/batch`, { update }, this.batchTimeoutMs);
        failures.push(...this.itemFailures(answer, part, (id) => variationRef(parentId, id)));
      }
    }
    if (failures.length > 0) {
      // (Field named writeId: the logger redacts any field whose name ends in "key".)
      this.logger.warn("woocommerce stock write: items refused", { writeId: idempotencyKey, refused: failures.length, attempted: latest.size + relative.size });
      throw new WooBatchItemsError(failures, latest.size + relative.size);
    }
  }

  createOrder(order: NewOrder): Promise<CreatedOrder> {
    const running = this.creating.get(order.orderId);
    if (running) return running;
    const attempt = this.createOnce(order).finally(() => this.creating.delete(order.orderId));
    this.creating.set(order.orderId, attempt);
    return attempt;
  }

  async cancelOrder(platformOrderRef: string, reason: string): Promise<void> {
    const id = parseWooId(platformOrderRef, "order");
    // Cancelling a cancelled order is accepted by WooCommerce, so a retry is harmless.
    await this.client.put(`orders/${id}`, { status: "cancelled", meta_data: [{ key: HOLDFAST_CANCEL_REASON_META, value: reason }] }, this.timeoutMs);
  }

  private async createOnce(order: NewOrder): Promise<CreatedOrder> {
    if (order.lines.length === 0) throw new PlatformError("rejected", "an order needs at least one line", { code: "holdfast_invalid_order" });
    const lines = order.lines.map((line) => {
      if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) {
        throw new PlatformError("rejected", `quantity for ${line.ref} must be a positive integer`, { code: "holdfast_invalid_order" });
      }
      return { ref: parseWooRef(line.ref), quantity: line.quantity };
    });

    const existing = await this.findOrder(order.orderId, order.customer?.email);
    if (existing) {
      this.logger.info("woocommerce order already created", { orderId: order.orderId, platformOrderId: existing.id });
      return created(existing);
    }

    const body: Record<string, unknown> = {
      status: "pending",
      set_paid: false,
      line_items: lines.map(({ ref, quantity }) =>
        ref.kind === "variation" ? { product_id: ref.productId, variation_id: ref.variationId, quantity } : { product_id: ref.productId, quantity },
      ),
      meta_data: [{ key: HOLDFAST_ORDER_META, value: order.orderId }],
    };
    if (order.customer) body.billing = billing(order.customer);
    const order_ = asOrder(await this.client.post("orders", body, this.timeoutMs));

    // WooCommerce does not refuse a line whose product does not exist: it saves a line without a
    // product. Such an order is voided here rather than handed on as if it were whole.
    const missing = lines.filter(({ ref }) => !order_.line_items.some((line) => matches(ref, line)));
    if (missing.length > 0) {
      await this.client.put(`orders/${order_.id}`, { status: "cancelled", meta_data: [{ key: HOLDFAST_VOID_META, value: "unknown product" }] }, this.timeoutMs);
      throw new PlatformError("not_found", `WooCommerce has no product for ${missing.map(({ ref }) => ref.ref).join(", ")}`, {
        code: "woocommerce_rest_invalid_product_id",
      });
    }
    return created(order_);
  }

  /** The order a previous attempt created for `orderId`, if any: searched, then checked by meta. */
  private async findOrder(orderId: string, email: string | undefined): Promise<WooOrder | undefined> {
    for (const term of email ? [orderId, email] : [orderId]) {
      const hits = await this.client.get("orders", { search: term, per_page: "100", orderby: "date", order: "desc" }, this.timeoutMs);
      const ours = records(hits)
        .map(asOrder)
        .filter((hit) => metaValue(hit, HOLDFAST_ORDER_META) === orderId && metaValue(hit, HOLDFAST_VOID_META) === undefined)
        .sort((a, b) => a.id - b.id);
      if (ours[0]) return ours[0];
    }
    return undefined;
  }

  private listQuery(ids: readonly number[], fields: string): Record<string, string> {
    return { include: ids.join(","), per_page: String(WOO_BATCH_LIMIT), _fields: fields };
  }

  private itemFailures(answer: unknown, ids: readonly number[], refOf: (id: number) => string): WooItemFailure[] {
    const update = (answer as { update?: unknown }).update;
    if (!Array.isArray(update)) {
      throw new PlatformError("unavailable", "WooCommerce batch answer has no update list", { code: "holdfast_invalid_response" });
    }
    const failures: WooItemFailure[] = [];
    const seen = new Set<number>();
    for (const item of records(update)) {
      const id = Number(item.id);
      seen.add(id);
      if (item.error !== undefined) {
        const error = wooItemError(item.error, this.clock.now());
        failures.push({ ref: refOf(id), kind: error.kind, code: error.details.code ?? "unknown", message: error.message });
      }
    }
    for (const id of ids) {
      if (!seen.has(id)) failures.push({ ref: refOf(id), kind: "unavailable", code: "holdfast_missing_item", message: "not in the batch answer" });
    }
    return failures;
  }
}

function group(refs: readonly WooRef[]): { products: number[]; variationsByParent: Map<number, number[]> } {
  const products: number[] = [];
  const variationsByParent = new Map<number, number[]>();
  for (const ref of refs) {
    if (ref.kind === "product") products.push(ref.productId);
    else variationsByParent.set(ref.productId, [...(variationsByParent.get(ref.productId) ?? []), ref.variationId]);
  }
  return { products, variationsByParent };
}

function matches(ref: WooRef, line: { product_id: number; variation_id: number }): boolean {
  return ref.kind === "variation" ? line.product_id === ref.productId && line.variation_id === ref.variationId : line.product_id === ref.productId;
}

function created(order: WooOrder): CreatedOrder {
  return order.payment_url ? { platformOrderRef: String(order.id), paymentUrl: order.payment_url } : { platformOrderRef: String(order.id) };
}

function billing(customer: { email?: string; name?: string }): Record<string, string> {
  const result: Record<string, string> = {};
  if (customer.email) result.email = customer.email;
  if (customer.name) {
    const [first = "", ...rest] = customer.name.trim().split(/\s+/);
    result.first_name = first;
    if (rest.length > 0) result.last_name = rest.join(" ");
  }
  return result;
}
