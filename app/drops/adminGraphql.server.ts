import type { AdminDocument } from "../platforms/shopify/adminDocuments.ts";
import { ShopifyReadError } from "./errors.server.ts";

/** The part of shopify-app-remix's `admin` context the pages use (its `graphql`). */
export interface AdminGraphql {
  graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response>;
}

/**
 * Runs one of the admin UI's documents with the merchant's session. Any failure (network,
 * throttled, GraphQL errors) becomes a ShopifyReadError that tells the merchant to retry;
 * these pages only read, so nothing is half done.
 */
export async function readAdmin<Variables, Data>(
  admin: AdminGraphql,
  document: AdminDocument<Variables, Data>,
  variables: Variables,
  what: string,
): Promise<Data> {
  let body: { data?: Data; errors?: unknown };
  try {
    const response = await admin.graphql(document.document, { variables: variables as Record<string, unknown> });
    body = (await response.json()) as typeof body;
  } catch (error) {
    throw new ShopifyReadError(what, error);
  }
  if (body.errors || body.data === undefined) throw new ShopifyReadError(what, body.errors);
  return body.data;
}

export function chunks<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}
