// The admin pages' browser tests: the server (adminServer.ts) on the tests' Redis, Chromium,
// screenshots and a small accessibility check.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

import type { Browser, Page } from "playwright-core";

import type { AdminShop } from "../app/ui/support/adminStandIn.ts";
import { launchChromium as launchDebianChromium } from "../support/chromium.ts";
import { testRedisConfig } from "../support/redis.ts";
import { startAdminServer as startServer, type AdminServer, type AdminServerOptions } from "./adminServer.ts";

export { ADMIN_TOKEN, API_KEY, API_SECRET, DESKTOP_CHROME, embeddedUrl, installAppBridgeStandIn, type AdminServer } from "./adminServer.ts";

export const SCREENSHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));

/** The admin server on the tests' Redis (the shared one, or the cluster project's). */
export function startAdminServer(shops: AdminShop[], options: Omit<AdminServerOptions, "redis"> = {}): Promise<AdminServer> {
  return startServer(shops, { redis: testRedisConfig(), ...options });
}

/** Debian's chromium with the flags known to work on these machines (no network chatter, no sandbox as root). */
export function launchAdminChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return launchDebianChromium();
}

export interface A11yProblem {
  rule: string;
  element: string;
}

/**
 * A small accessibility check over the rendered DOM: every form control has a label, every
 * button and link has a name, headings do not skip levels, images have text alternatives.
 */
export function accessibilityProblems(page: Page): Promise<A11yProblem[]> {
  return page.evaluate(() => {
    const problems: { rule: string; element: string }[] = [];
    const describe = (el: Element) => el.outerHTML.slice(0, 160);
    const visible = (el: Element) => {
      const box = (el as HTMLElement).getBoundingClientRect();
      const style = getComputedStyle(el);
      return style.display !== "none" && style.visibility !== "hidden" && (box.width > 0 || box.height > 0);
    };
    const textOf = (id: string | null) =>
      (id ?? "")
        .split(/\s+/)
        .map((part) => document.getElementById(part)?.textContent?.trim() ?? "")
        .join(" ")
        .trim();
    const nameOf = (el: Element) =>
      (el.getAttribute("aria-label") ?? "").trim() ||
      textOf(el.getAttribute("aria-labelledby")) ||
      (el.textContent ?? "").trim() ||
      (el.getAttribute("title") ?? "").trim() ||
      [...el.querySelectorAll("img[alt]")]
        .map((img) => img.getAttribute("alt"))
        .join(" ")
        .trim();
    for (const el of document.querySelectorAll("input, select, textarea")) {
      const input = el as HTMLInputElement;
      if (input.type === "hidden" || !visible(el)) continue;
      const labelled =
        (input.labels?.length ?? 0) > 0 || (el.getAttribute("aria-label") ?? "").trim() !== "" || textOf(el.getAttribute("aria-labelledby")) !== "";
      if (!labelled) problems.push({ rule: "control has a label", element: describe(el) });
    }
    for (const el of document.querySelectorAll("button, [role=button], a[href]")) {
      if (!visible(el)) continue;
      if (nameOf(el) === "") problems.push({ rule: "button or link has a name", element: describe(el) });
    }
    let previous = 0;
    for (const el of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
      if (!visible(el)) continue;
      const level = Number(el.tagName.slice(1));
      if (previous === 0 && level !== 1) problems.push({ rule: "the first heading is an h1", element: describe(el) });
      if (previous !== 0 && level > previous + 1) problems.push({ rule: "headings do not skip levels", element: describe(el) });
      previous = level;
    }
    if (document.querySelectorAll("h1").length === 0) problems.push({ rule: "the page has an h1", element: document.title });
    for (const el of document.querySelectorAll("img")) if (!el.hasAttribute("alt")) problems.push({ rule: "image has alt text", element: describe(el) });
    for (const el of document.querySelectorAll("svg[role=img]"))
      if (!el.querySelector("title") && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
        problems.push({ rule: "svg image has a title", element: describe(el) });
    if (!document.documentElement.lang) problems.push({ rule: "the document has a language", element: "html" });
    return problems;
  });
}
