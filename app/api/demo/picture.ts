import { createHash } from "node:crypto";

/**
 * A product picture drawn from the title, inline in the page: the demo needs no image files,
 * no network and no CSP exception (presentation attributes, not styles). The same title
 * always gets the same colours, so a product is recognisable from visit to visit.
 */
export function productPicture(title: string): string {
  const hue = createHash("sha256").update(title).digest().readUInt16BE(0) % 360;
  const initials =
    title
      .split(/[\s,]+/)
      .filter((word) => /^\p{L}/u.test(word))
      .slice(0, 2)
      .map((word) => word.charAt(0).toUpperCase())
      .join("") || "?";
  const escaped = initials.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<svg class="demo-picture" viewBox="0 0 240 150" role="img" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">
        <rect width="240" height="150" fill="hsl(${hue} 70% 92%)"/>
        <circle cx="190" cy="30" r="60" fill="hsl(${(hue + 40) % 360} 65% 84%)"/>
        <rect x="70" y="35" width="100" height="80" rx="18" fill="hsl(${hue} 55% 42%)"/>
        <text x="120" y="88" text-anchor="middle" font-family="system-ui, sans-serif" font-size="34" font-weight="700" fill="#fff">${escaped}</text>
      </svg>`;
}
