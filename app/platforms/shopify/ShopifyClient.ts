import { createAdminApiClient, type AdminApiClient } from "@shopify/admin-api-client";

import { silentLogger, type Logger } from "../../core/logger.ts";
import { PlatformError } from "../../core/platform/index.ts";
import { CostBudgetRegistry, PlatformPolicy, type RateBudget, type Reservation } from "../../core/resilience/index.ts";
import type { Operation } from "./documents.ts";
import { errorOf, type ClientAnswer } from "./errors.ts";
import { queryCostOf } from "./throttle.ts";
import { SHOPIFY_API_VERSION } from "./version.ts";

/** The fetch the official client calls; tests pass one that routes *.myshopify.com to the stand-in. */
export type ShopifyFetch = NonNullable<Parameters<typeof createAdminApiClient>[0]["customFetchApi"]>;

/**
 * Where an expiring offline token comes from: asked before every request (it answers from
 * memory until the token is due for refresh), and told when Shopify refused one (HTTP 401),
 * so it can refresh and the request can be sent again with the new token.
 */
export interface AccessTokenSource {
  token(): Promise<string>;
  refused(staleToken: string): Promise<void>;
}

export interface ShopifyClientOptions {
  /** "<shop>.myshopify.com" */
  shopDomain: string;
  /** The offline Admin API access token for the shop, or where to get the current one (expiring tokens). */
  accessToken: string | AccessTokenSource;
  /** Timeout, retries and the breaker for this shop; by default a fresh policy with the defaults. */
  policy?: PlatformPolicy;
  /**
   * The shop's cost bucket, mirrored: by default in this process (one per shop), or shared
   * by all processes with a RedisCostBudget.
   */
  budget?: RateBudget;
  logger?: Logger;
  /** Production leaves this unset (global fetch). */
  fetchApi?: ShopifyFetch;
}

const ACCESS_TOKEN_HEADER = "X-Shopify-Access-Token";

/** Per shop, for every adapter instance in this process (see ShopifyPlatform's note on several processes). */
export const processBudgets = new CostBudgetRegistry();

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/**
 * One Admin GraphQL request = wait for the cost budget, then send it under the policy
 * (timeout, retry, breaker), then adopt the bucket state Shopify reports. The official client
 * does the HTTP; its own retries stay off (the policy retries, with jitter and a breaker).
 */
export class ShopifyClient {
  readonly shopDomain: string;
  private readonly client: AdminApiClient;
  private readonly policy: PlatformPolicy;
  private readonly budget: RateBudget;
  private readonly logger: Logger;
  private readonly tokens: AccessTokenSource | null;
  /** Learned: how much more an operation really cost than our estimate (never less than 1). */
  private readonly costFactor = new Map<string, number>();

  constructor(options: ShopifyClientOptions) {
    const shopDomain = options.shopDomain.trim().toLowerCase();
    if (!SHOP_DOMAIN.test(shopDomain))
      throw new PlatformError("rejected", `not a myshopify.com domain: ${JSON.stringify(options.shopDomain)}`, { code: "bad_shop" });
    if (!options.accessToken) throw new PlatformError("unauthorized", `no access token for ${shopDomain}`);
    this.shopDomain = shopDomain;
    this.tokens = typeof options.accessToken === "string" ? null : options.accessToken;
    this.logger = options.logger ?? silentLogger;
    this.policy = options.policy ?? new PlatformPolicy({ storeId: shopDomain, platform: "shopify" });
    this.budget = options.budget ?? processBudgets.for(shopDomain);
    this.client = createAdminApiClient({
      storeDomain: shopDomain,
      apiVersion: SHOPIFY_API_VERSION,
      // With a token source each request carries the current token in its own header.
      accessToken: typeof options.accessToken === "string" ? options.accessToken : "(per request)",
      userAgentPrefix: "Holdfast",
      retries: 0,
      customFetchApi: this.tokens ? this.withCurrentToken(this.tokens, options.fetchApi) : options.fetchApi,
      // Without a logger the client console.warns about versions it does not know yet.
      logger: (entry) => {
        if (entry.type === "Unsupported_Api_Version") this.logger.warn("shopify api version outside the client's list", { apiVersion: SHOPIFY_API_VERSION });
      },
    });
  }

  /**
   * The official client fixes its token header at creation: with a token source, each request
   * gets the current token here instead, and a 401 tells the source which token was refused.
   */
  private withCurrentToken(tokens: AccessTokenSource, fetchApi: ShopifyFetch | undefined): ShopifyFetch {
    const send: ShopifyFetch = fetchApi ?? ((url, init) => fetch(url, init));
    return async (url, init) => {
      const token = await tokens.token();
      const headers = new Headers(init?.headers as HeadersInit | undefined);
      headers.set(ACCESS_TOKEN_HEADER, token);
      const response = await send(url, { ...init, headers: Object.fromEntries(headers.entries()) });
      if (response.status === 401) await tokens.refused(token).catch(() => undefined);
      return response;
    };
  }

  /** Sends `operation`; resolves to its data or rejects with a PlatformError. */
  async run<Variables, Data>(operation: Operation<Variables, Data>, variables: Variables): Promise<Data> {
    const cost = this.estimate(operation, variables);
    let pending: Reservation | undefined;
    const drop = () => {
      if (pending) this.finish(pending.release());
      pending = undefined;
    };
    try {
      return await this.policy.execute(
        async (signal) => {
          const reservation = pending;
          pending = undefined;
          return this.attempt(operation, variables, cost, signal, reservation);
        },
        {
          beforeAttempt: async () => {
            drop();
            pending = await this.budget.acquire(cost);
          },
          idempotent: operation.idempotent,
        },
      );
    } finally {
      drop();
    }
  }

  private async attempt<Variables, Data>(
    operation: Operation<Variables, Data>,
    variables: Variables,
    cost: number,
    signal: AbortSignal,
    reservation: Reservation | undefined,
  ): Promise<Data> {
    let answer: ClientAnswer;
    try {
      // Fails here (not inside the HTTP client) when the store has no usable token: the error says why.
      if (this.tokens) await this.tokens.token();
      answer = await this.client.request<unknown>(operation.document, { variables: variables as Record<string, unknown>, signal });
    } catch (error) {
      if (error instanceof PlatformError) {
        if (reservation) this.finish(reservation.release());
        throw error;
      }
      if (reservation) this.finish(reservation.release());
      throw new PlatformError("unavailable", `Shopify request failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const queryCost = queryCostOf(answer.extensions);
    if (reservation) {
      // An HTTP answer ends the request; none (network error, our deadline) means it may still arrive.
      const answered = answer.errors === undefined || answer.errors.networkStatusCode !== undefined;
      await this.finish(answered ? reservation.settle(queryCost?.throttleStatus ?? null) : reservation.release());
    }
    if (queryCost?.requestedQueryCost && queryCost.requestedQueryCost > cost) this.learn(operation.name, cost, queryCost.requestedQueryCost);
    const error = await errorOf(answer, cost);
    if (error && this.tokens && error.details.status === 401) {
      // A token Shopify no longer takes: the fetch below refreshed it (or learned the pair
      // another process made), and the policy sends the request again with it. When the
      // store has no usable token any more, that error says so (the merchant must re-authorise).
      await this.tokens.token();
      throw new PlatformError("unavailable", `Shopify refused an expired access token for ${this.shopDomain}; refreshed`, {
        status: 401,
        code: "token_refreshed",
      });
    }
    if (error) {
      this.logger.warn("shopify request failed", {
        shop: this.shopDomain,
        operation: operation.name,
        kind: error.kind,
        code: error.details.code,
        status: error.details.status,
      });
      throw error;
    }
    return answer.data as Data;
  }

  /** Budget bookkeeping must never fail a platform call: a failure is logged (the books err safe). */
  private finish(settling: Promise<void>): Promise<void> {
    return settling.catch((error: unknown) => this.logger.warn("shopify budget bookkeeping failed", { shop: this.shopDomain, error }));
  }

  private estimate<Variables>(operation: Operation<Variables, unknown>, variables: Variables): number {
    return Math.ceil(operation.cost(variables) * (this.costFactor.get(operation.name) ?? 1));
  }

  /** Shopify charged more than we estimated: scale that operation's future estimates up. */
  private learn(operation: string, estimated: number, charged: number): void {
    const current = this.costFactor.get(operation) ?? 1;
    const base = estimated / current;
    this.costFactor.set(operation, Math.max(current, charged / Math.max(1, base)));
    this.logger.warn("shopify charged more than estimated; estimate raised", { shop: this.shopDomain, operation, estimated, charged });
  }
}
