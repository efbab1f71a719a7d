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
