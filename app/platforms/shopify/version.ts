/**
 * The one Admin API version the adapter speaks. Documents are validated against this
 * version's schema in tests (test/platforms/shopify/documents.test.ts); moving it means
 * `node scripts/shopify-schema.mjs --version <new>` and a green run of those tests.
 * 2026-04 is the first version where inventory mutations require `@idempotent` and take
 * `changeFromQuantity` instead of compareQuantity.
 */
export const SHOPIFY_API_VERSION = "2026-04";

/** Shopify's input arrays (quantities, ids, line items) take at most this many entries. */
export const SHOPIFY_MAX_INPUT = 250;
