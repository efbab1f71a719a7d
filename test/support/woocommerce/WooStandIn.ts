import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { OAUTH_REQUIRED, oauthSignature, signatureBaseString, signaturesEqual } from "./oauth.ts";
import { Stalls } from "../stalls.ts";
import { HoldfastPluginStandIn, PLUGIN_STOCK_ROUTE } from "./holdfastPlugin.ts";

/**
 * A WooCommerce REST v3 stand-in on plain HTTP (loopback), strict where WooCommerce is strict:
 * - authentication as WC_REST_Authentication does it without SSL: OAuth 1.0a one-legged only
 *   (HMAC-SHA1/HMAC-SHA256, timestamp within 15 minutes, nonce not reused); Basic auth and
 *   consumer_key/consumer_secret query parameters are only tried over HTTPS, so here they leave the
 *   request anonymous and the route's permission check refuses it (401 woocommerce_rest_cannot_*);
 *   key permissions (read / write / read_write) are enforced;
 * - errors are `{code, message, data: {status}}` with WooCommerce's codes;
 * - batch endpoints refuse more than 100 items in all (413 woocommerce_rest_request_entity_too_large)
 *   and report per-item errors inside a 200 answer;
 * - a stock quantity is ignored unless the item manages stock (as WC's REST controllers do), and
 *   an order line whose product does not exist is saved without a product (WC does not refuse it);
 * - order search covers what core searches (id, billing email and names, item names) plus the meta
 *   keys a plugin registers through `woocommerce_shop_order_search_fields` /
 *   `woocommerce_order_table_search_query_meta_keys` (`searchableOrderMetaKeys`).
 * It can be told to fail (status, stall, answer lost after the work is done) and counts calls.
 */

export type KeyPermissions = "read" | "write" | "read_write";

export interface WooKey {
  consumerKey: string;
  consumerSecret: string;
  permissions: KeyPermissions;
}

export interface WooStandInOptions {
  /** API keys; one read_write key is made when none are given. */
  keys?: WooKey[];
  /** Meta keys order search also looks at (the Holdfast plugin registers `holdfast_order_id`). */
  searchableOrderMetaKeys?: string[];
  /** The `woocommerce_rest_batch_items_limit` filter; 100 in WooCommerce. */
  batchLimit?: number;
  /** The site's home URL as WordPress knows it, signed into every OAuth base string. Default: the URL it listens on. */
  homeUrl?: (listening: string) => string;
  clock?: { now(): number };
  /** Serve the Holdfast plugin's stock endpoint (holdfastPlugin.ts), connected with this secret. */
  holdfastConnectorSecret?: string;
}

export interface StandInProduct {
  id: number;
  name: string;
  type: "simple" | "variable";
  manageStock: boolean;
  stockQuantity: number | null;
  variationIds: number[];
}

export interface StandInVariation {
  id: number;
  parentId: number;
  manageStock: boolean;
  stockQuantity: number | null;
}

export interface StandInOrder {
  id: number;
  status: string;
  orderKey: string;
  createdAt: number;
  billing: Record<string, string>;
  lineItems: Array<{ id: number; name: string; productId: number; variationId: number; quantity: number }>;
  meta: Array<{ id: number; key: string; value: unknown }>;
}

export interface CallRecord {
  method: string;
  /** Path after /wp-json/wc/v3, e.g. "/products/batch". */
  route: string;
  query: Record<string, string>;
  /** Items in a batch body (create + update + delete). */
  batchItems?: number;
  /** HTTP status answered; 0 while in flight, -1 when the answer was dropped. */
  status: number;
}

export type WooFault = { status: number; code?: string; message?: string; retryAfter?: string; html?: boolean } | { stallMs: number } | { loseAnswer: true };

export interface FaultScope {
  /** Apply to the next N matching calls (default 1)... */
  times?: number;
  /** ...or to every matching call for this long. */
  forMs?: number;
  method?: string;
  route?: RegExp;
}

interface FaultRule extends FaultScope {
  fault: WooFault;
  remaining: number;
  until: number;
}

class WooError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { code: this.code, message: this.message, data: { status: this.status, ...this.extra } };
  }
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Request {
  method: string;
  url: URL;
  params: string[];
  body: Record<string, unknown>;
  key: WooKey | null;
}

type Handler = (request: Request) => Answer;

interface RouteDef {
  methods: readonly string[];
  pattern: RegExp;
  /** The code and message WooCommerce answers when the request is not authenticated. */
  denied: [string, string];
  handler: Handler;
}

const READABLE = ["GET", "HEAD"];
const EDITABLE = ["POST", "PUT", "PATCH"];
const ORDER_STATUSES = ["pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "checkout-draft", "trash"];
const NONCE_WINDOW_SECONDS = 15 * 60;

const wooInvalidParam = (param: string, reason: string) =>
  new WooError(400, "rest_invalid_param", `Invalid parameter(s): ${param}`, { params: { [param]: reason }, details: {} });

function toInt(value: unknown): number {
  const number = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  return Number.isFinite(number) ? Math.trunc(number) : 0;
}

/** wc_stock_amount: intval of whatever was sent ("abc" is 0). */
function wcStockAmount(value: unknown): number {
  return toInt(typeof value === "string" ? parseFloat(value) : value);
}

/** wc_string_to_bool */
function wcBool(value: unknown): boolean {
  return value === true || value === 1 || value === "1" || value === "yes" || value === "true";
}

function gmt(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

export class WooStandIn {
  readonly keys: WooKey[];
  readonly products = new Map<number, StandInProduct>();
  readonly variations = new Map<number, StandInVariation>();
  readonly orders = new Map<number, StandInOrder>();
  readonly calls: CallRecord[] = [];

  private nextId = 100;
  private readonly usedNonces = new Map<string, number>();
  private readonly faults: FaultRule[] = [];
  private readonly routes: RouteDef[];
  private readonly batchLimit: number;
  private readonly searchableMeta: string[];
  private readonly clock: { now(): number };
  private readonly stalls = new Stalls();
  private readonly plugin: HoldfastPluginStandIn | null;
  private server: Server | null = null;
  private listening = "";
  private home = "";

  constructor(private readonly options: WooStandInOptions = {}) {
    this.keys = options.keys ?? [
      { consumerKey: `ck_${randomBytes(20).toString("hex")}`, consumerSecret: `cs_${randomBytes(20).toString("hex")}`, permissions: "read_write" },
    ];
    this.batchLimit = options.batchLimit ?? 100;
    this.searchableMeta = options.searchableOrderMetaKeys ?? ["holdfast_order_id"];
    this.clock = options.clock ?? { now: () => Date.now() };
    this.plugin = options.holdfastConnectorSecret
      ? new HoldfastPluginStandIn(options.holdfastConnectorSecret, {
          stockOf: (ref) => this.stockOf(ref),
          change: (ref, delta) => this.changeStock(ref, delta),
        })
      : null;
    this.routes = [
      {
        methods: READABLE,
        pattern: /^\/products$/,
        denied: ["woocommerce_rest_cannot_view", "Sorry, you cannot list resources."],
        handler: (r) => this.listProducts(r),
      },
      {
        methods: EDITABLE,
        pattern: /^\/products\/batch$/,
        denied: ["woocommerce_rest_cannot_batch", "Sorry, you are not allowed to batch manipulate this resource."],
        handler: (r) => this.batchProducts(r),
      },
      {
        methods: READABLE,
        pattern: /^\/products\/(\d+)$/,
        denied: ["woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."],
        handler: (r) => this.getProduct(r),
      },
      {
        methods: READABLE,
        pattern: /^\/products\/(\d+)\/variations$/,
        denied: ["woocommerce_rest_cannot_view", "Sorry, you cannot list resources."],
        handler: (r) => this.listVariations(r),
      },
      {
        methods: EDITABLE,
        pattern: /^\/products\/(\d+)\/variations\/batch$/,
        denied: ["woocommerce_rest_cannot_batch", "Sorry, you are not allowed to batch manipulate this resource."],
        handler: (r) => this.batchVariations(r),
      },
      {
        methods: READABLE,
        pattern: /^\/orders$/,
        denied: ["woocommerce_rest_cannot_view", "Sorry, you cannot list resources."],
        handler: (r) => this.listOrders(r),
      },
      {
        methods: ["POST"],
        pattern: /^\/orders$/,
        denied: ["woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."],
        handler: (r) => this.createOrder(r),
      },
      {
        methods: READABLE,
        pattern: /^\/orders\/(\d+)$/,
        denied: ["woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."],
        handler: (r) => this.getOrder(r),
      },
      {
        methods: EDITABLE,
        pattern: /^\/orders\/(\d+)$/,
        denied: ["woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."],
        handler: (r) => this.updateOrder(r),
      },
    ];
  }

  /** The URL to give the client (http://127.0.0.1:<port>). */
  get url(): string {
    return this.listening;
  }

  get consumerKey(): string {
    return this.keys[0]?.consumerKey ?? "";
  }

  get consumerSecret(): string {
    return this.keys[0]?.consumerSecret ?? "";
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.listening = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.home = this.options.homeUrl ? this.options.homeUrl(this.listening) : this.listening;
    return this;
  }

  async close(): Promise<void> {
    this.stalls.releaseAll();
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- fixtures ---------------------------------------------------------------------------

  addProduct(options: { name?: string; manageStock?: boolean; stock?: number | null } = {}): number {
    const id = this.nextId++;
    const manageStock = options.manageStock ?? true;
    this.products.set(id, {
      id,
      name: options.name ?? `Product ${id}`,
      type: "simple",
      manageStock,
      stockQuantity: manageStock ? (options.stock ?? 0) : null,
      variationIds: [],
    });
    return id;
  }

  addVariableProduct(
    variations: Array<{ manageStock?: boolean; stock?: number | null }>,
    parent: { manageStock?: boolean; stock?: number } = {},
  ): { productId: number; variationIds: number[] } {
    const productId = this.nextId++;
    const manageStock = parent.manageStock ?? false;
    const product: StandInProduct = {
      id: productId,
      name: `Variable ${productId}`,
      type: "variable",
      manageStock,
      stockQuantity: manageStock ? (parent.stock ?? 0) : null,
      variationIds: [],
    };
    this.products.set(productId, product);
    for (const variation of variations) {
      const id = this.nextId++;
      const own = variation.manageStock ?? true;
      this.variations.set(id, { id, parentId: productId, manageStock: own, stockQuantity: own ? (variation.stock ?? 0) : null });
      product.variationIds.push(id);
    }
    return { productId, variationIds: product.variationIds };
  }

  /** Stock as WooCommerce would show it for "123" or "123:456"; null when not tracked. */
  stockOf(ref: string): number | null {
    const [productId, variationId] = ref.split(":").map(Number);
    if (variationId !== undefined) {
      const variation = this.variations.get(variationId);
      return variation ? (this.variationJson(variation).stock_quantity as number | null) : null;
    }
    const product = this.products.get(productId ?? 0);
    return product?.manageStock ? product.stockQuantity : null;
  }

  /**
   * A sale WooCommerce makes on its own (checkout, POS, another channel): the stock goes down
   * by `quantity` in one relative step, as wc_update_product_stock(..., 'decrease') does.
   */
  sell(ref: string, quantity: number): number {
    return this.changeStock(ref, -quantity);
  }

  private changeStock(ref: string, delta: number): number {
    const [productId, variationId] = ref.split(":").map(Number);
    const item = variationId !== undefined ? this.variations.get(variationId) : this.products.get(productId ?? 0);
    if (!item || !item.manageStock || item.stockQuantity === null) throw new Error(`${ref} does not manage stock`);
    item.stockQuantity += delta;
    return item.stockQuantity;
  }

  /** A change made in WooCommerce itself (an order elsewhere, a merchant's edit): sets a tracked product's stock. */
  setStock(ref: string, stock: number): void {
    const [productId, variationId] = ref.split(":").map(Number);
    const variation = variationId === undefined ? undefined : this.variations.get(variationId);
    if (variation) variation.stockQuantity = stock;
    else {
      const product = this.products.get(productId ?? 0);
      if (product) product.stockQuantity = stock;
    }
  }

  // ---- faults and counters ----------------------------------------------------------------

  fail(fault: WooFault, scope: FaultScope = {}): void {
    this.faults.push({
      ...scope,
      fault,
      remaining: scope.forMs === undefined ? (scope.times ?? 1) : Number.POSITIVE_INFINITY,
      until: scope.forMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + scope.forMs,
    });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  callsTo(method: string, route: RegExp): CallRecord[] {
    return this.calls.filter((call) => call.method === method && route.test(call.route));
  }

  resetCalls(): void {
    this.calls.length = 0;
  }

  private takeFault(method: string, route: string): WooFault | null {
    const now = Date.now();
    for (const rule of this.faults) {
      if (rule.remaining <= 0 || now > rule.until) continue;
      if (rule.method && rule.method !== method) continue;
      if (rule.route && !rule.route.test(route)) continue;
      rule.remaining -= 1;
      return rule.fault;
    }
    return null;
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", this.listening);
    const method = (req.method ?? "GET").toUpperCase();
    const prefix = "/wp-json/wc/v3";
    const pluginRoute = this.plugin && url.searchParams.get("rest_route") === PLUGIN_STOCK_ROUTE ? PLUGIN_STOCK_ROUTE : null;
    const route = pluginRoute ?? (url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname);
    const call: CallRecord = { method, route, query: Object.fromEntries(url.searchParams), status: 0 };
    this.calls.push(call);

    let loseAnswer = false;
    const fault = this.takeFault(method, route);
    if (fault && "stallMs" in fault) {
      await this.stalls.wait(fault.stallMs);
      if (!this.server) return;
    } else if (fault && "loseAnswer" in fault) {
      loseAnswer = true;
    } else if (fault) {
      call.status = fault.status;
      const headers: Record<string, string> = fault.retryAfter ? { "retry-after": fault.retryAfter } : {};
      if (fault.html) {
        res.writeHead(fault.status, { ...headers, "content-type": "text/html; charset=UTF-8" });
        res.end("<!DOCTYPE html><html><body><h1>Error establishing a database connection</h1></body></html>");
      } else {
        const body = { code: fault.code ?? `standin_http_${fault.status}`, message: fault.message ?? "Injected failure.", data: { status: fault.status } };
        send(res, { status: fault.status, body, headers });
      }
      return;
    }

    let answer: Answer;
    try {
      const signature = req.headers["x-holdfast-signature"];
      answer =
        pluginRoute && this.plugin
          ? this.plugin.handle(method, raw, typeof signature === "string" ? signature : undefined, Math.floor(this.clock.now() / 1000))
          : this.dispatch(method, url, route, raw, req.headers, call);
    } catch (error) {
      answer =
        error instanceof WooError
          ? { status: error.status, body: error.body() }
          : { status: 500, body: { code: "internal_server_error", message: String(error), data: { status: 500 } } };
    }
    if (loseAnswer) {
      call.status = -1;
      req.socket.destroy();
      return;
    }
    call.status = answer.status;
    send(res, answer);
  }

  private dispatch(method: string, url: URL, route: string, raw: Buffer, headers: IncomingHttpHeaders, call: CallRecord): Answer {
    // WordPress order: authentication errors, then the key's read/write permission
    // (rest_pre_dispatch), then route matching, body parsing, the route's permission check.
    const key = this.authenticate(method, url, headers);
    if (key) this.checkKeyPermissions(key, method);

    if (!url.pathname.startsWith("/wp-json/wc/v3/")) throw new WooError(404, "rest_no_route", "No route was found matching the URL and request method.");
    let def: RouteDef | undefined;
    let match: RegExpExecArray | null = null;
    for (const candidate of this.routes) {
      match = candidate.methods.includes(method) ? candidate.pattern.exec(route) : null;
      if (match) {
        def = candidate;
        break;
      }
    }
    if (!def || !match) throw new WooError(404, "rest_no_route", "No route was found matching the URL and request method.");

    let body: Record<string, unknown> = {};
    if (raw.length > 0 && /json/i.test(headers["content-type"] ?? "")) {
      try {
        const parsed: unknown = JSON.parse(raw.toString("utf8"));
        body = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
      } catch {
        throw new WooError(400, "rest_invalid_json", "Invalid JSON body passed.");
      }
    }
    call.batchItems = ["create", "update", "delete"].reduce((sum, op) => sum + (Array.isArray(body[op]) ? (body[op] as unknown[]).length : 0), 0);
    if (!key) throw new WooError(401, def.denied[0], def.denied[1]);
    return def.handler({ method, url, params: match.slice(1), body, key });
  }

  private authenticate(method: string, url: URL, headers: IncomingHttpHeaders): WooKey | null {
    const params = new Map(url.searchParams);
    const header = headers.authorization?.trim() ?? "";
    if (header.startsWith("OAuth ")) {
      for (const [, name, quoted, bare] of header.matchAll(/(oauth_[a-z_-]*)=(?:"([^"]*)"|([^,]*))/g)) {
        if (name) params.set(name, decodeURIComponent(quoted || bare || ""));
      }
    }
    const missing = OAUTH_REQUIRED.filter((name) => !params.get(name));
    // No OAuth at all: anonymous. Basic credentials are only looked at over HTTPS (is_ssl()).
    if (missing.length === OAUTH_REQUIRED.length) return null;
    if (missing.length > 0) {
      throw new WooError(
        401,
        "woocommerce_rest_authentication_missing_parameter",
        `Missing OAuth parameter${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
      );
    }
    const key = this.keys.find((candidate) => candidate.consumerKey === params.get("oauth_consumer_key"));
    if (!key) throw new WooError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.");

    const given = safeDecode((params.get("oauth_signature") ?? "").replace(/ /g, "+"));
    const algorithm = params.get("oauth_signature_method");
    if (algorithm !== "HMAC-SHA1" && algorithm !== "HMAC-SHA256") {
      throw new WooError(401, "woocommerce_rest_authentication_error", "Invalid signature - signature method is invalid.");
    }
    const expected = oauthSignature(algorithm, key.consumerSecret, signatureBaseString(method, `${this.home}${url.pathname}`, params));
    if (!signaturesEqual(expected, given)) {
      throw new WooError(401, "woocommerce_rest_authentication_error", "Invalid signature - provided signature does not match.");
    }

    const now = Math.floor(this.clock.now() / 1000);
    const timestamp = Number(params.get("oauth_timestamp"));
    if (!(timestamp >= now - NONCE_WINDOW_SECONDS && timestamp <= now + NONCE_WINDOW_SECONDS)) {
      throw new WooError(401, "woocommerce_rest_authentication_error", "Invalid timestamp.");
    }
    const nonceKey = `${key.consumerKey}\n${params.get("oauth_nonce")}`;
    for (const [used, at] of this.usedNonces) if (at < now - NONCE_WINDOW_SECONDS) this.usedNonces.delete(used);
    if (this.usedNonces.has(nonceKey)) throw new WooError(401, "woocommerce_rest_authentication_error", "Invalid nonce - nonce has already been used.");
    this.usedNonces.set(nonceKey, timestamp);
    return key;
  }

  private checkKeyPermissions(key: WooKey, method: string): void {
    if (READABLE.includes(method) && key.permissions === "write") {
      throw new WooError(401, "woocommerce_rest_authentication_error", "The API key provided does not have read permissions.");
    }
    if ([...EDITABLE, "DELETE"].includes(method) && key.permissions === "read") {
      throw new WooError(401, "woocommerce_rest_authentication_error", "The API key provided does not have write permissions.");
    }
  }

  // ---- products -----------------------------------------------------------------------------

  private productJson(product: StandInProduct): Record<string, unknown> {
    return {
      id: product.id,
      name: product.name,
      type: product.type,
      status: "publish",
      manage_stock: product.manageStock,
      stock_quantity: product.manageStock ? product.stockQuantity : null,
      stock_status: stockStatus(product.manageStock, product.stockQuantity),
      variations: product.variationIds,
    };
  }

  private variationJson(variation: StandInVariation): Record<string, unknown> {
    const parent = this.products.get(variation.parentId);
    const manage: boolean | "parent" = variation.manageStock ? true : parent?.manageStock ? "parent" : false;
    const quantity = manage === true ? variation.stockQuantity : manage === "parent" ? (parent?.stockQuantity ?? null) : null;
    return { id: variation.id, manage_stock: manage, stock_quantity: quantity, stock_status: stockStatus(manage !== false, quantity) };
  }

  private listProducts(request: Request): Answer {
    const include = listOfIds(request.url, "include");
    const items = [...this.products.values()].filter((product) => include === null || include.includes(product.id)).sort((a, b) => b.id - a.id);
    return page(
      request.url,
      items.map((product) => this.productJson(product)),
    );
  }

  private getProduct(request: Request): Answer {
    const product = this.products.get(Number(request.params[0]));
    if (!product) throw new WooError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.");
    return { status: 200, body: fields(request.url, this.productJson(product)) };
  }

  private listVariations(request: Request): Answer {
    const parentId = Number(request.params[0]);
    const include = listOfIds(request.url, "include");
    const items = [...this.variations.values()]
      .filter((variation) => variation.parentId === parentId && (include === null || include.includes(variation.id)))
      .sort((a, b) => b.id - a.id);
    return page(
      request.url,
      items.map((variation) => this.variationJson(variation)),
    );
  }

  private batchProducts(request: Request): Answer {
    return this.batch(request.body, (item) => {
      const product = this.products.get(toInt(item.id));
      if (!product) return itemError(item.id, "woocommerce_rest_product_invalid_id", "Invalid ID.", 400);
      if ("manage_stock" in item) product.manageStock = wcBool(item.manage_stock);
      if (!product.manageStock) product.stockQuantity = null;
      else if (item.stock_quantity !== undefined && item.stock_quantity !== null) product.stockQuantity = wcStockAmount(item.stock_quantity);
      return this.productJson(product);
    });
  }

  private batchVariations(request: Request): Answer {
    const parentId = Number(request.params[0]);
    return this.batch(request.body, (item) => {
      const variation = this.variations.get(toInt(item.id));
      if (!variation || variation.parentId !== parentId) return itemError(item.id, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.", 400);
      if ("manage_stock" in item) variation.manageStock = wcBool(item.manage_stock);
      if (!variation.manageStock) variation.stockQuantity = null;
      else if (item.stock_quantity !== undefined && item.stock_quantity !== null) variation.stockQuantity = wcStockAmount(item.stock_quantity);
      return this.variationJson(variation);
    });
  }

  /** WC_REST_Controller::batch_items: limit over create + update + delete, then item by item. */
  private batch(body: Record<string, unknown>, update: (item: Record<string, unknown>) => Record<string, unknown>): Answer {
    let total = 0;
    for (const op of ["create", "update", "delete"]) {
      if (body[op] === undefined) continue;
      if (!Array.isArray(body[op])) throw wooInvalidParam(op, `${op} is not of type array.`);
      total += (body[op] as unknown[]).length;
    }
    if (total > this.batchLimit) {
      throw new WooError(413, "woocommerce_rest_request_entity_too_large", `Unable to accept more than ${this.batchLimit} items for this request.`);
    }
    const answer: Record<string, unknown[]> = {};
    const unsupported = (id: unknown) => itemError(id, "standin_unsupported", "The stand-in only updates stock.", 501);
    if (Array.isArray(body.create)) answer.create = body.create.map(() => unsupported(0));
    if (Array.isArray(body.update)) {
      answer.update = (body.update as unknown[]).map((item) =>
        typeof item === "object" && item !== null
          ? update(item as Record<string, unknown>)
          : itemError(0, "woocommerce_rest_product_invalid_id", "Invalid ID.", 400),
      );
    }
    if (Array.isArray(body.delete)) answer.delete = body.delete.map((id) => unsupported(id));
    return { status: 200, body: answer };
  }

  // ---- orders -------------------------------------------------------------------------------

  private orderJson(order: StandInOrder): Record<string, unknown> {
    return {
      id: order.id,
      parent_id: 0,
      number: String(order.id),
      order_key: order.orderKey,
      created_via: "rest-api",
      status: order.status,
      currency: "USD",
      date_created: gmt(order.createdAt),
      date_created_gmt: gmt(order.createdAt),
      billing: { first_name: "", last_name: "", email: "", ...order.billing },
      line_items: order.lineItems.map((line) => ({
        id: line.id,
        name: line.name,
        product_id: line.productId,
        variation_id: line.variationId,
        quantity: line.quantity,
      })),
      meta_data: order.meta.map((meta) => ({ ...meta })),
      payment_url: `${this.home}/checkout/order-pay/${order.id}/?pay_for_order=true&key=${order.orderKey}`,
    };
  }

  private createOrder(request: Request): Answer {
    const body = request.body;
    const status = body.set_paid === true ? "processing" : body.status === undefined ? "pending" : String(body.status);
    if (!ORDER_STATUSES.includes(status)) throw wooInvalidParam("status", `status is not one of ${ORDER_STATUSES.join(", ")}.`);
    if (body.line_items !== undefined && !Array.isArray(body.line_items)) throw wooInvalidParam("line_items", "line_items is not of type array.");
    const billing = this.billing(body.billing);
    const lines = ((body.line_items as unknown[] | undefined) ?? []).map((raw) => {
      const line = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
      if (!line.sku && !line.product_id && !line.variation_id) {
        throw new WooError(400, "woocommerce_rest_required_product_reference", "Product ID or SKU is required.");
      }
      // WC_REST_Orders_Controller::prepare_line_items: the variation id wins; a product that does
      // not exist leaves the line without a product rather than failing the order.
      const lookup = toInt(line.variation_id) || toInt(line.product_id);
      const variation = this.variations.get(lookup);
      const product = variation ? this.products.get(variation.parentId) : this.products.get(lookup);
      return {
        id: this.nextId++,
        name: product ? product.name : "",
        productId: product ? product.id : 0,
        variationId: variation ? variation.id : 0,
        quantity: toInt(line.quantity ?? 1),
      };
    });
    const order: StandInOrder = {
      id: this.nextId++,
      status,
      orderKey: `wc_order_${randomBytes(7).toString("base64url")}`,
      createdAt: this.clock.now(),
      billing,
      lineItems: lines,
      meta: [],
    };
    this.applyMeta(order, body.meta_data);
    this.orders.set(order.id, order);
    return { status: 201, body: this.orderJson(order) };
  }

  private updateOrder(request: Request): Answer {
    const order = this.orders.get(Number(request.params[0]));
    if (!order) throw new WooError(400, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
    const body = request.body;
    if (body.status !== undefined) {
      if (!ORDER_STATUSES.includes(String(body.status))) throw wooInvalidParam("status", `status is not one of ${ORDER_STATUSES.join(", ")}.`);
      order.status = String(body.status);
    }
    if (body.billing !== undefined) order.billing = { ...order.billing, ...this.billing(body.billing) };
    this.applyMeta(order, body.meta_data);
    return { status: 200, body: this.orderJson(order) };
  }

  private getOrder(request: Request): Answer {
    const order = this.orders.get(Number(request.params[0]));
    if (!order) throw new WooError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
    return { status: 200, body: fields(request.url, this.orderJson(order)) };
  }

  private listOrders(request: Request): Answer {
    const statusParam = request.url.searchParams.get("status") ?? "any";
    const statuses = statusParam.split(",").map((status) => status.trim());
    for (const status of statuses) {
      if (status !== "any" && !ORDER_STATUSES.includes(status)) throw wooInvalidParam("status", `status[0] is not one of any, ${ORDER_STATUSES.join(", ")}.`);
    }
    const order = request.url.searchParams.get("order") ?? "desc";
    if (order !== "asc" && order !== "desc") throw wooInvalidParam("order", "order is not one of asc and desc.");
    const search = (request.url.searchParams.get("search") ?? "").toLowerCase();
    const include = listOfIds(request.url, "include");
    const items = [...this.orders.values()]
      .filter((candidate) =>
        statuses.includes("any") ? candidate.status !== "trash" && candidate.status !== "checkout-draft" : statuses.includes(candidate.status),
      )
      .filter((candidate) => include === null || include.includes(candidate.id))
      .filter((candidate) => search === "" || this.orderMatches(candidate, search))
      .sort((a, b) => (order === "desc" ? b.createdAt - a.createdAt || b.id - a.id : a.createdAt - b.createdAt || a.id - b.id));
    return page(
      request.url,
      items.map((candidate) => this.orderJson(candidate)),
    );
  }

  private orderMatches(order: StandInOrder, term: string): boolean {
    if (/^\d+$/.test(term) && Number(term) === order.id) return true;
    const haystack = [
      ...Object.values(order.billing),
      ...order.lineItems.map((line) => line.name),
      ...order.meta.filter((meta) => this.searchableMeta.includes(meta.key)).map((meta) => String(meta.value)),
    ];
    return haystack.some((value) => value.toLowerCase().includes(term));
  }

  private billing(raw: unknown): Record<string, string> {
    if (raw === undefined) return {};
    if (typeof raw !== "object" || raw === null) throw wooInvalidParam("billing", "billing is not of type object.");
    const billing: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw)) billing[name] = String(value ?? "");
    if (billing.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(billing.email)) {
      throw new WooError(400, "customer_invalid_billing_email", "Invalid billing email address");
    }
    return billing;
  }

  private applyMeta(order: StandInOrder, raw: unknown): void {
    if (raw === undefined) return;
    if (!Array.isArray(raw)) throw wooInvalidParam("meta_data", "meta_data is not of type array.");
    for (const entry of raw) {
      if (typeof entry !== "object" || entry === null || typeof (entry as { key?: unknown }).key !== "string") continue;
      const { key, value } = entry as { key: string; value: unknown };
      const existing = order.meta.find((meta) => meta.key === key);
      if (existing) existing.value = value;
      else order.meta.push({ id: this.nextId++, key, value });
    }
  }
}

export async function startWooStandIn(options: WooStandInOptions = {}): Promise<WooStandIn> {
  return new WooStandIn(options).start();
}

function stockStatus(managed: boolean, quantity: number | null): string {
  return managed && quantity !== null && quantity <= 0 ? "outofstock" : "instock";
}

function itemError(id: unknown, code: string, message: string, status: number): Record<string, unknown> {
  return { id, error: { code, message, data: { status } } };
}

/** `include=1,2,3` or `include[]=1&include[]=2`, as WordPress reads an array argument. */
function listOfIds(url: URL, name: string): number[] | null {
  const values = [...url.searchParams.getAll(name), ...url.searchParams.getAll(`${name}[]`)];
  if (values.length === 0) return null;
  const ids = values
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter((value) => value !== "");
  ids.forEach((value, index) => {
    if (!/^\d+$/.test(value)) throw wooInvalidParam(name, `${name}[${index}] is not of type integer.`);
  });
  return ids.map(Number);
}

function fields(url: URL, item: Record<string, unknown>): Record<string, unknown> {
  const wanted = url.searchParams.get("_fields");
  if (!wanted) return item;
  const names = new Set(["id", ...wanted.split(",").map((name) => name.trim())]);
  return Object.fromEntries(Object.entries(item).filter(([name]) => names.has(name)));
}

function page(url: URL, items: Array<Record<string, unknown>>): Answer {
  const perPageRaw = url.searchParams.get("per_page") ?? "10";
  const perPage = Number(perPageRaw);
  if (!/^\d+$/.test(perPageRaw) || perPage < 1 || perPage > 100)
    throw wooInvalidParam("per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)");
  const pageRaw = url.searchParams.get("page") ?? "1";
  const pageNumber = Number(pageRaw);
  if (!/^\d+$/.test(pageRaw) || pageNumber < 1) throw wooInvalidParam("page", "page must be greater than or equal to 1");
  const slice = items.slice((pageNumber - 1) * perPage, pageNumber * perPage).map((item) => fields(url, item));
  return {
    status: 200,
    body: slice,
    headers: { "x-wp-total": String(items.length), "x-wp-totalpages": String(Math.ceil(items.length / perPage)) },
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function send(res: ServerResponse, answer: Answer): void {
  const body = JSON.stringify(answer.body);
  res.writeHead(answer.status, { ...answer.headers, "content-type": "application/json; charset=UTF-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
