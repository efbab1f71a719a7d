/**
 * Whether a request comes from inside the Shopify admin (its iframe, or a URL the admin made,
 * with `embedded=1` or `host`). There the shop is known, so no page may ask for its domain
 * (Shopify's design guidelines); only the non-embedded login path asks.
 */
export function insideAdmin(request: Request): boolean {
  const url = new URL(request.url);
  return url.searchParams.get("embedded") === "1" || url.searchParams.has("host") || request.headers.get("sec-fetch-dest") === "iframe";
}
