import type { IncomingMessage } from "node:http";

/**
 * The shopper identity of a request that came through the Shopify app proxy with a verified
 * signature: set by the proxy routes, read by the storefront handlers (per-customer limits
 * count a logged-in customer across browsers). Never taken from a header a client could send.
 */
const verifiedCustomers = new WeakMap<IncomingMessage, string>();

export function setVerifiedCustomer(req: IncomingMessage, customerRef: string): void {
  verifiedCustomers.set(req, customerRef);
}

export function verifiedCustomerOf(req: IncomingMessage): string | undefined {
  return verifiedCustomers.get(req);
}

/** Requests whose app-proxy signature checked out (guests included): a sale may take holds only from these. */
const proxiedRequests = new WeakSet<IncomingMessage>();

export function markProxied(req: IncomingMessage): void {
  proxiedRequests.add(req);
}

export function cameThroughProxy(req: IncomingMessage): boolean {
  return proxiedRequests.has(req);
}
