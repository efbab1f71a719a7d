import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import {
  execute,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
  type ValueNode,
} from "graphql";

import type { ShopifyFetch } from "../../../app/platforms/shopify/index.ts";
import { SHOPIFY_API_VERSION, SHOPIFY_MAX_INPUT } from "../../../app/platforms/shopify/version.ts";
import { requestedQueryCost } from "./cost.ts";
import { rootValue } from "./resolvers.ts";
import { adminSchema } from "./schema.ts";
import { ShopState, type BucketConfig } from "./ShopState.ts";
import type { ExpiringTokenConfig } from "./tokens.ts";

export { gid } from "./resolvers.ts";
export { ShopState, type BucketConfig, type FailureMode } from "./ShopState.ts";
export { ShopTokens, type ExpiringTokenConfig, type TokenAnswer } from "./tokens.ts";

export interface StandInShop {
  domain: string;
  accessToken: string;
  bucket?: Partial<BucketConfig>;
  /** Expiring offline tokens (issue the first pair with `shop(domain).tokens.issue()`). */
  expiring?: ExpiringTokenConfig;
}

export interface ShopifyStandIn {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** For the client's customFetchApi: https://<shop>.myshopify.com/... goes to this server. */
  readonly fetch: ShopifyFetch;
  shop(domain: string): ShopState;
  close(): Promise<void>;
}

const SINGLE_QUERY_MAX_COST = 1000;
const DEFAULT_BUCKET: BucketConfig = { maximumAvailable: 1000, restoreRate: 50 };
const UNAUTHORIZED = "[API] Invalid API key or access token (unrecognized login or wrong password)";

/**
 * A local Shopify Admin GraphQL endpoint (POST /admin/api/<pinned version>/graphql.json) that
 * follows the documented contract closely enough that an adapter which works here works there:
 *
 * - X-Shopify-Access-Token must match the shop's token (401 otherwise, Shopify's body); with
 *   `expiring`, tokens expire and POST /admin/oauth/access_token refreshes them (tokens.ts).
 * - Every document is parsed and validated against the offline Admin schema of the pinned
 *   version; variables are coerced by the schema (unknown input fields, missing required
 *   ones, wrong enum values all fail). Such answers are HTTP 200 with `errors`, as Shopify's.
 * - Input lists longer than 250 fail with MAX_INPUT_SIZE_EXCEEDED; a request costing more
 *   than 1000 with MAX_COST_EXCEEDED.
 * - A leaky bucket per shop (maximumAvailable, restoreRate): a request whose requested cost
 *   exceeds currentlyAvailable is answered (HTTP 200) `{"errors":[{"message":"Throttled","extensions":
 *   {"code":"THROTTLED",...}}],"extensions":{"cost":{...,"actualQueryCost":null,...}}}` and
 *   not executed; every executed answer carries extensions.cost with the throttleStatus.
 * - The operations the adapter uses run against in-memory state (resolvers.ts), with
 *   @idempotent, changeFromQuantity and userErrors as documented for 2026-04.
 * - Failures can be injected per shop (HTTP 500/503, hanging until the client gives up,
 *   connection reset) and counters tell tests what the adapter sent.
 * Simplification: actualQueryCost is the requested cost (no refund for short lists).
 */
export async function startShopifyStandIn(shops: StandInShop[]): Promise<ShopifyStandIn> {
  const schema = adminSchema();
  const states = new Map<string, ShopState>();
  for (const shop of shops) {
    const domain = shop.domain.toLowerCase();
    states.set(domain, new ShopState(domain, shop.accessToken, { ...DEFAULT_BUCKET, ...shop.bucket }, shop.expiring ?? null));
  }
  const endpoint = `/admin/api/${SHOPIFY_API_VERSION}/graphql.json`;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { errors: [{ message: `stand-in failure: ${String(error)}` }] });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const host = String(request.headers["x-forwarded-host"] ?? request.headers.host ?? "").toLowerCase();
    const shop = states.get(host);
    if (!shop) return send(response, 404, { errors: "Not Found" });
    const path = new URL(request.url ?? "/", "http://stand-in").pathname;
    if (request.method === "POST" && path === "/admin/oauth/access_token") {
      let fields: Record<string, unknown> = {};
      try {
        fields = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return send(response, 400, { error: "invalid_request" });
      }
      const answer = shop.tokens.refresh(fields);
      return send(response, answer.status, answer.body);
    }
    if (request.method !== "POST" || path !== endpoint) return send(response, 404, { errors: "Not Found" });
    shop.stats.requests++;

    const failure = shop.takeFailure(operationNameOf(body));
    if (failure === "lost") {
      shop.stats.failed++;
      response = losing(request, response);
    } else if (failure) {
      shop.stats.failed++;
      if (failure === "timeout") return; // never answers; the client's deadline has to fire
      if (failure === "reset") {
        request.socket.destroy();
        return;
      }
      return send(response, failure === "http503" ? 503 : 500, { errors: "Internal Server Error" });
    }

    // A wrong token, or an expiring one past its expiry: Shopify's 401.
    if (!shop.tokens.accepts(request.headers["x-shopify-access-token"])) return send(response, 401, { errors: UNAUTHORIZED });

    let payload: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      payload = JSON.parse(body) as typeof payload;
    } catch {
      return send(response, 400, { errors: { query: "Required parameter missing or invalid" } });
    }
    if (typeof payload.query !== "string") return send(response, 400, { errors: { query: "Required parameter missing or invalid" } });
    const variables = (payload.variables ?? {}) as Record<string, unknown>;

    let document: DocumentNode;
    try {
      document = parse(payload.query);
    } catch (error) {
      return sendErrors(response, [error as GraphQLError]);
    }
    const invalid = validate(schema, document);
    if (invalid.length > 0) return sendErrors(response, invalid);
    const operation = pickOperation(document, payload.operationName);
    if (!operation) return sendErrors(response, [new GraphQLError("An operation name is required when a document holds several operations")]);

    const tooLong = oversizedInput(operation, variables);
    if (tooLong) {
      return sendErrors(response, [
        new GraphQLError(`The input array size of ${tooLong} is greater than the maximum allowed of ${SHOPIFY_MAX_INPUT}.`, {
          extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
        }),
      ]);
    }
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
    let cost: number;
    try {
      cost = requestedQueryCost(schema, operation, fragments, variables);
    } catch {
      cost = 1; // variables that do not coerce: execution reports them
    }
    if (cost > SINGLE_QUERY_MAX_COST) {
      return sendErrors(response, [
        new GraphQLError(`Query cost is ${cost}, which exceeds the single query max cost limit (${SINGLE_QUERY_MAX_COST}).`, {
          extensions: { code: "MAX_COST_EXCEEDED", cost, maxCost: SINGLE_QUERY_MAX_COST },
        }),
      ]);
    }
    shop.stats.maxRequestedCost = Math.max(shop.stats.maxRequestedCost, cost);
    if (!shop.charge(cost)) {
      shop.stats.throttled++;
      return send(response, 200, {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
        extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: shop.throttleStatus() } },
      });
    }

    const name = operation.name?.value ?? "(anonymous)";
    shop.stats.operations[name] = (shop.stats.operations[name] ?? 0) + 1;
    const result = await execute({
      schema,
      document,
      operationName: operation.name?.value,
      rootValue: rootValue(shop, schema),
      variableValues: variables,
      fieldResolver: strictResolver,
    });
    const errors = result.errors?.map((error) => {
      const formatted: GraphQLFormattedError = error.toJSON();
      // Variables that do not fit the schema: Shopify labels them INVALID_VARIABLE.
      if (!error.path && result.data === undefined && /^Variable "\$/.test(error.message))
        return { ...formatted, extensions: { code: "INVALID_VARIABLE", ...formatted.extensions } };
      return formatted;
    });
    const actual = result.data === undefined ? 0 : cost;
    shop.refund(cost - actual);
    send(response, 200, {
      ...(errors ? { errors } : {}),
      ...(result.data !== undefined ? { data: result.data } : {}),
      extensions: { cost: { requestedQueryCost: cost, actualQueryCost: actual, throttleStatus: shop.throttleStatus() } },
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fetchApi: ShopifyFetch = async (target, init) => {
    const parsed = new URL(target);
    if (parsed.protocol !== "https:" || !parsed.hostname.endsWith(".myshopify.com"))
      throw new TypeError(`stand-in fetch only serves https://*.myshopify.com, not ${target}`);
    const headers = new Headers(init?.headers);
    headers.set("x-forwarded-host", parsed.host);
    return fetch(`${url}${parsed.pathname}${parsed.search}`, { ...init, headers });
  };

  return {
    url,
    fetch: fetchApi,
    shop(domain) {
      const shop = states.get(domain.toLowerCase());
      if (!shop) throw new Error(`the stand-in has no shop ${domain}`);
      return shop;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Root fields must be implemented; nested ones read properties (calling functions with their arguments). */
function strictResolver(source: unknown, args: Record<string, unknown>, context: unknown, info: GraphQLResolveInfo): unknown {
  const value = (source as Record<string, unknown> | null)?.[info.fieldName];
  if (info.path.prev === undefined && value === undefined) {
    throw new GraphQLError(`the stand-in does not implement ${info.parentType.name}.${info.fieldName}`, { extensions: { code: "NOT_IMPLEMENTED" } });
  }
  return typeof value === "function" ? (value as (...a: unknown[]) => unknown).call(source, args, context, info) : value;
}

/** The name of the (first) operation in a request body, if it parses. */
function operationNameOf(body: string): string | undefined {
  try {
    const { query } = JSON.parse(body) as { query?: unknown };
    if (typeof query !== "string") return undefined;
    return pickOperation(parse(query), undefined)?.name?.value;
  } catch {
    return undefined;
  }
}

function pickOperation(document: DocumentNode, operationName: unknown): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (typeof operationName === "string") return operations.find((operation) => operation.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/** The size of the first list (in variables or literals) longer than Shopify accepts, or null. */
function oversizedInput(operation: OperationDefinitionNode, variables: Record<string, unknown>): number | null {
  const walkValue = (value: unknown): number | null => {
    if (Array.isArray(value)) {
      if (value.length > SHOPIFY_MAX_INPUT) return value.length;
      for (const element of value) {
        const found = walkValue(element);
        if (found) return found;
      }
    } else if (value && typeof value === "object") {
      for (const element of Object.values(value)) {
        const found = walkValue(element);
        if (found) return found;
      }
    }
    return null;
  };
  const walkAst = (node: ValueNode): number | null => {
    if (node.kind === Kind.LIST) return node.values.length > SHOPIFY_MAX_INPUT ? node.values.length : (node.values.map(walkAst).find(Boolean) ?? null);
    if (node.kind === Kind.OBJECT) return node.fields.map((field) => walkAst(field.value)).find(Boolean) ?? null;
    return null;
  };
  const used = new Set<string>();
  let literal: number | null = null;
  const visit = (selections: OperationDefinitionNode["selectionSet"]["selections"]) => {
    for (const selection of selections) {
      if (selection.kind !== Kind.FIELD && selection.kind !== Kind.INLINE_FRAGMENT) continue;
      if (selection.kind === Kind.FIELD) for (const argument of selection.arguments ?? []) literal ??= walkAst(argument.value);
      if (selection.selectionSet) visit(selection.selectionSet.selections);
    }
  };
  visit(operation.selectionSet.selections);
  for (const definition of operation.variableDefinitions ?? []) used.add(definition.variable.name.value);
  for (const name of used) {
    const found = walkValue(variables[name]);
    if (found) return found;
  }
  return literal;
}

/** A response whose answer never arrives: the connection drops instead. */
function losing(request: IncomingMessage, response: ServerResponse): ServerResponse {
  return new Proxy(response, {
    get(target, property, receiver) {
      if (property === "writeHead") return () => receiver;
      if (property === "end") return () => request.socket.destroy();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

function sendErrors(response: ServerResponse, errors: readonly GraphQLError[]): void {
  send(response, 200, { errors: errors.map((error) => error.toJSON()) });
}
