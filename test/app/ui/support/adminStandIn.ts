// A local Shopify Admin GraphQL endpoint for what the admin pages read (shop, products,
// variants with stock, inventory items, webhook subscriptions, the main theme). Like the
// order-queue stand-in (test/support/shopify), every document is validated against the
// offline Admin schema of the pinned version before it runs, and the access token must match.
// It also installs an undici global dispatcher that sends every https://*.myshopify.com
// request of this process to it, so shopify-app-remix's `admin.graphql` reaches it unchanged.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { execute, parse, validate, type DocumentNode } from "graphql";
import { Agent, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from "undici";

import { SHOPIFY_API_VERSION } from "../../../../app/platforms/shopify/version.ts";
import { adminSchema } from "../../../support/shopify/schema.ts";

export interface StandInVariant {
  id: number;
  title: string;
  inventoryItemId: number;
  tracked: boolean;
  policy: "DENY" | "CONTINUE";
  /** locationId -> available */
  stock: Record<number, number>;
}

export interface StandInProduct {
  id: number;
  title: string;
  variants: StandInVariant[];
}

export interface AdminShop {
  domain: string;
  accessToken: string;
  name: string;
  ianaTimezone: string;
  plus: boolean;
  products: StandInProduct[];
  locations: Record<number, string>;
  webhookTopics: string[];
  /** settings_data.json of the MAIN theme; null: the shop has no main theme. */
  settingsData: string | null;
  /** When set, every request of this shop fails with this HTTP status. */
  failWith?: number;
  /** App-data metafields of the app's installation, by "namespace.key" (JSON text), as metafieldsSet left them. */
  appMetafields?: Record<string, string>;
  /** The calling app's API key (ShopifyFunction.appKey of its functions). */
  appKey?: string;
  /** Handles of the calling app's deployed functions (`shopify app deploy`); validationCreate needs one. */
  functionHandles?: string[];
  /** Cart and checkout validations of the shop, any app's, as validationCreate and the merchant left them. */
  validations?: StandInValidation[];
}

export interface StandInValidation {
  id: number;
  title: string;
  enabled: boolean;
  blockOnFailure: boolean;
  functionHandle: string;
  appKey: string;
  /** by "namespace.key" */
  metafields: Record<string, { id: number; value: string; updatedAt: string }>;
}

export interface AdminStandIn {
  url: string;
  shop(domain: string): AdminShop;
  /** Operation names in the order they were received. */
  readonly received: string[];
  close(): Promise<void>;
}

const gid = (type: string, id: number) => `gid://shopify/${type}/${id}`;
const idOf = (value: string, type: string) => {
  const match = /^gid:\/\/shopify\/(\w+)\/(\d+)$/.exec(value);
  return match && match[1] === type ? Number(match[2]) : null;
};

function rootValue(shop: AdminShop) {
  const levels = (variant: StandInVariant) => ({
    nodes: Object.entries(variant.stock).map(([locationId, available]) => ({
      location: { id: gid("Location", Number(locationId)), name: shop.locations[Number(locationId)] ?? `Location ${locationId}` },
      quantities: ({ names }: { names: string[] }) => names.map((name) => ({ name, quantity: name === "available" ? available : 0 })),
    })),
  });
  const variantObject = (product: StandInProduct, variant: StandInVariant) => ({
    __typename: "ProductVariant",
    id: gid("ProductVariant", variant.id),
    title: variant.title,
    displayName: `${product.title} - ${variant.title}`,
    sku: null,
    inventoryQuantity: Object.values(variant.stock).reduce((sum, value) => sum + value, 0),
    inventoryPolicy: variant.policy,
    product: { id: gid("Product", product.id), title: product.title },
    inventoryItem: { id: gid("InventoryItem", variant.inventoryItemId), tracked: variant.tracked, inventoryLevels: levels(variant) },
  });
  const validationNode = (validation: StandInValidation) => ({
    id: gid("Validation", validation.id),
    title: validation.title,
    enabled: validation.enabled,
    blockOnFailure: validation.blockOnFailure,
    shopifyFunction: { handle: validation.functionHandle, appKey: validation.appKey },
    metafield: ({ namespace, key }: { namespace?: string; key: string }) => {
      const field = validation.metafields[`${namespace ?? ""}.${key}`];
      return field ? { id: gid("Metafield", field.id), updatedAt: field.updatedAt, value: field.value } : null;
    },
  });
  // As Shopify: an app reads and writes only its own validations' app-owned metafields.
  const ownValidation = (ownerId: string) =>
    (shop.validations ?? []).find((validation) => gid("Validation", validation.id) === ownerId && validation.appKey === shop.appKey);
  let metafieldIds = 1000;
  const setOn = (validation: StandInValidation, field: { namespace: string; key: string; value: string }) => {
    validation.metafields[`${field.namespace}.${field.key}`] = { id: metafieldIds++, value: field.value, updatedAt: new Date().toISOString() };
  };
  const jsonProblem = (field: { type: string; value: string }) => {
    if (field.type !== "json") return null;
    try {
      JSON.parse(field.value);
      return null;
    } catch {
      return "Value is invalid JSON.";
    }
  };
  const allVariants = () => shop.products.flatMap((product) => product.variants.map((variant) => ({ product, variant })));
  const installation = gid("AppInstallation", 1);
  return {
    shop: { name: shop.name, myshopifyDomain: shop.domain, ianaTimezone: shop.ianaTimezone, plan: { shopifyPlus: shop.plus } },
    currentAppInstallation: { id: installation },
    // As Shopify: an app writes its own installation's metafields; a JSON value must parse.
    metafieldsSet: ({ metafields }: { metafields: { ownerId: string; namespace: string; key: string; type: string; value: string }[] }) => {
      const userErrors = metafields.flatMap((field, index) => {
        if (field.ownerId !== installation && !ownValidation(field.ownerId))
          return [{ field: ["metafields", String(index), "ownerId"], message: "Owner does not exist or is not accessible.", code: "INVALID" }];
        const problem = jsonProblem(field);
        return problem ? [{ field: ["metafields", String(index), "value"], message: problem, code: "INVALID_VALUE" }] : [];
      });
      if (userErrors.length > 0) return { metafields: null, userErrors };
      shop.appMetafields ??= {};
      for (const field of metafields) {
        const validation = ownValidation(field.ownerId);
        if (validation) setOn(validation, field);
        else shop.appMetafields[`${field.namespace}.${field.key}`] = field.value;
      }
      return { metafields: metafields.map((_, index) => ({ id: gid("Metafield", index + 1) })), userErrors: [] };
    },
    validations: ({ first }: { first?: number }) => ({ nodes: (shop.validations ?? []).slice(0, first ?? 25).map(validationNode) }),
    validationCreate: ({
      validation,
    }: {
      validation: {
        functionHandle?: string;
        title?: string;
        enable?: boolean;
        blockOnFailure?: boolean;
        metafields?: { namespace: string; key: string; type: string; value: string }[];
      };
    }) => {
      const fail = (code: string, field: string[], message: string) => ({ validation: null, userErrors: [{ code, field, message }] });
      if (!validation.functionHandle || !(shop.functionHandles ?? []).includes(validation.functionHandle))
        return fail("FUNCTION_NOT_FOUND", ["validation", "functionHandle"], "Extension not found.");
      if ((shop.validations ?? []).filter((each) => each.enabled).length >= 25 && validation.enable)
        return fail("MAX_VALIDATIONS_ACTIVATED", ["validation"], "Cannot have more than 25 active validation functions.");
      for (const field of validation.metafields ?? [])
        if (jsonProblem(field)) return fail("INVALID_VALUE", ["validation", "metafields"], "Value is invalid JSON.");
      shop.validations ??= [];
      const created: StandInValidation = {
        id: shop.validations.length + 1,
        title: validation.title ?? validation.functionHandle,
        enabled: validation.enable ?? false,
        blockOnFailure: validation.blockOnFailure ?? false,
        functionHandle: validation.functionHandle,
        appKey: shop.appKey ?? "",
        metafields: {},
      };
      for (const field of validation.metafields ?? []) setOn(created, field);
      shop.validations.push(created);
      return { validation: validationNode(created), userErrors: [] };
    },
    products: ({ first, query }: { first: number; query?: string | null }) => {
      const term =
        /title:\*(.*)\*/
          .exec(query ?? "")?.[1]
          ?.trim()
          .toLowerCase() ?? "";
      return {
        nodes: shop.products
          .filter((product) => product.title.toLowerCase().includes(term))
          .slice(0, first)
          .map((product) => ({
            id: gid("Product", product.id),
            title: product.title,
            variants: ({ first: n }: { first: number }) => ({ nodes: product.variants.slice(0, n).map((variant) => variantObject(product, variant)) }),
          })),
      };
    },
    nodes: ({ ids }: { ids: string[] }) =>
      ids.map((value) => {
        const variantId = idOf(value, "ProductVariant");
        const itemId = idOf(value, "InventoryItem");
        const found = allVariants().find(({ variant }) => variant.id === variantId || variant.inventoryItemId === itemId);
        if (!found) return null;
        if (variantId !== null) return variantObject(found.product, found.variant);
        const { product, variant } = found;
        return {
          __typename: "InventoryItem",
          id: gid("InventoryItem", variant.inventoryItemId),
          tracked: variant.tracked,
          variants: { nodes: [{ id: gid("ProductVariant", variant.id), displayName: `${product.title} - ${variant.title}`, inventoryPolicy: variant.policy }] },
          inventoryLevels: levels(variant),
        };
      }),
    webhookSubscriptions: () => ({ nodes: shop.webhookTopics.map((topic) => ({ topic, uri: `https://app.example/webhooks/${topic.toLowerCase()}` })) }),
    themes: ({ roles }: { roles?: string[] }) => ({
      nodes:
        shop.settingsData === null || !(roles ?? []).includes("MAIN")
          ? []
          : [
              {
                id: gid("OnlineStoreTheme", 1),
                name: "Dawn",
                files: ({ filenames }: { filenames: string[] }) => ({
                  nodes: filenames.includes("config/settings_data.json")
                    ? [{ filename: "config/settings_data.json", body: { __typename: "OnlineStoreThemeFileBodyText", content: shop.settingsData } }]
                    : [],
                }),
              },
            ],
    }),
  };
}

export async function startAdminStandIn(shops: AdminShop[]): Promise<AdminStandIn> {
  const schema = adminSchema();
  const byDomain = new Map(shops.map((shop) => [shop.domain, shop]));
  const received: string[] = [];
  const endpoint = `/admin/api/${SHOPIFY_API_VERSION}/graphql.json`;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => send(response, 500, { errors: [{ message: String(error) }] }));
  });
  async function handle(request: IncomingMessage, response: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const shop = byDomain.get(String(request.headers["x-forwarded-host"] ?? "").toLowerCase());
    if (!shop || request.method !== "POST" || request.url?.split("?")[0] !== endpoint) return send(response, 404, { errors: "Not Found" });
    if (shop.failWith) return send(response, shop.failWith, { errors: "Internal Server Error" });
    if (request.headers["x-shopify-access-token"] !== shop.accessToken)
      return send(response, 401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    const payload = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { query: string; variables?: Record<string, unknown> };
    let document: DocumentNode;
    try {
      document = parse(payload.query);
    } catch (error) {
      return send(response, 200, { errors: [{ message: (error as Error).message }] });
    }
    const errors = validate(schema, document);
    if (errors.length > 0) return send(response, 200, { errors: errors.map((error) => error.toJSON()) });
    const name = document.definitions.find((definition) => definition.kind === "OperationDefinition")?.name?.value ?? "(anonymous)";
    received.push(name);
    const result = await execute({ schema, document, rootValue: rootValue(shop), variableValues: payload.variables ?? {} });
    send(response, 200, { ...(result.errors ? { errors: result.errors.map((error) => error.toJSON()) } : {}), data: result.data ?? null });
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const previous = getGlobalDispatcher();
  setGlobalDispatcher(new ShopRedirect(url));

  return {
    url,
    received,
    shop(domain) {
      const shop = byDomain.get(domain);
      if (!shop) throw new Error(`no stand-in shop ${domain}`);
      return shop;
    },
    async close() {
      setGlobalDispatcher(previous);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sends https://<shop>.myshopify.com/... to the stand-in (plain HTTP on loopback), naming the shop in X-Forwarded-Host. */
class ShopRedirect extends Agent {
  constructor(private readonly target: string) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
    const origin = new URL(String(options.origin));
    if (!origin.hostname.endsWith(".myshopify.com")) return super.dispatch(options, handler);
    const headers = flatHeaders(options.headers);
    headers.push("x-forwarded-host", origin.host);
    return super.dispatch({ ...options, origin: this.target, headers }, handler);
  }
}

function flatHeaders(headers: Dispatcher.DispatchOptions["headers"]): string[] {
  if (!headers) return [];
  if (Array.isArray(headers)) return [...(headers as string[])];
  const flat: string[] = [];
  for (const [name, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (value === undefined) continue;
    for (const each of Array.isArray(value) ? value : [value]) flat.push(name, each);
  }
  return flat;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

/** A shop as the admin tests know it: two products (one untracked), two locations, the checkout-gate function deployed. */
export function shopFixture(domain: string, overrides: Partial<AdminShop> = {}): AdminShop {
  return {
    domain,
    accessToken: `shpat_${randomBytes(8).toString("hex")}`,
    name: "Test shop",
    ianaTimezone: "Europe/Berlin",
    plus: false,
    locations: { 1: "Warehouse", 2: "Shop floor" },
    products: [
      {
        id: 10,
        title: "Sneaker",
        variants: [
          { id: 101, title: "42", inventoryItemId: 1001, tracked: true, policy: "DENY", stock: { 1: 30, 2: 5 } },
          { id: 102, title: "43", inventoryItemId: 1002, tracked: true, policy: "CONTINUE", stock: { 2: 12 } },
        ],
      },
      { id: 20, title: "Cap", variants: [{ id: 201, title: "Default Title", inventoryItemId: 2001, tracked: false, policy: "DENY", stock: { 1: 8 } }] },
    ],
    webhookTopics: [],
    // The app is deployed: its checkout-gate function exists on the shop.
    functionHandles: ["checkout-gate"],
    settingsData: JSON.stringify({ current: { blocks: {} } }),
    ...overrides,
  };
}
