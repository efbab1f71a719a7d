/**
 * No page of ours may be framed by another site (clickjacking), except the embedded app,
 * which Shopify's library lets the shop's admin frame with its own `frame-ancestors` (set
 * before this runs). Every other document gets `frame-ancestors 'none'` and, for browsers
 * that predate CSP, X-Frame-Options.
 */
export function denyFramingUnlessAllowed(headers: Headers): void {
  if (/frame-ancestors/i.test(headers.get("content-security-policy") ?? "")) return;
  const policy = headers.get("content-security-policy");
  headers.set("content-security-policy", policy ? `${policy.replace(/;?\s*$/, "")}; frame-ancestors 'none'` : "frame-ancestors 'none'");
  headers.set("x-frame-options", "DENY");
}
