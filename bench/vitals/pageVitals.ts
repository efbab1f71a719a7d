// LCP, CLS and INP of one page load in Chromium, measured by Google's web-vitals library in the
// page (its IIFE build, injected before any of the page's scripts), as the Chrome UX Report does.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

import type { Page } from "playwright-core";

export interface Vitals {
  lcpMs: number;
  cls: number;
  inpMs: number;
}

export const GOALS: Vitals = { lcpMs: 2_500, cls: 0.1, inpMs: 200 };

// The package does not export its IIFE build; it sits next to the CommonJS one it does export.
const WEB_VITALS_IIFE = readFileSync(join(dirname(createRequire(import.meta.url).resolve("web-vitals")), "web-vitals.iife.js"), "utf8");

/**
 * Every change reported (reportAllChanges) into window.__vitals. INP's duration filter is
 * lowered to its minimum (16 ms): the library's default (40 ms) would ignore fast interactions,
 * and a page this benchmark calls fast must have been measured.
 */
const COLLECT = `
window.__vitals = {};
(function () {
  var keep = function (metric) { window.__vitals[metric.name] = metric.value; };
  webVitals.onLCP(keep, { reportAllChanges: true });
  webVitals.onCLS(keep, { reportAllChanges: true });
  webVitals.onINP(keep, { reportAllChanges: true, durationThreshold: 16 });
})();
`;

/** Call once per page, before its first navigation. */
export async function collectVitals(page: Page): Promise<void> {
  await page.addInitScript({ content: `${WEB_VITALS_IIFE}\n${COLLECT}` });
}

/**
 * The figures after the page loaded and `interact` ran: the page is then reported hidden (as
 * when the merchant leaves it), which makes web-vitals settle CLS and INP.
 */
export async function readVitals(page: Page, interact: (page: Page) => Promise<void>, timeoutMs: number): Promise<Vitals> {
  await page.waitForFunction(() => (window as unknown as { __vitals: Record<string, number> }).__vitals.LCP !== undefined, undefined, { timeout: timeoutMs });
  await interact(page);
  await page.waitForFunction(() => (window as unknown as { __vitals: Record<string, number> }).__vitals.INP !== undefined, undefined, { timeout: timeoutMs });
  const values = await page.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
    return (window as unknown as { __vitals: Record<string, number> }).__vitals;
  });
  // No layout shift at all: web-vitals may not report CLS before the page is really hidden.
  return { lcpMs: values.LCP ?? Number.NaN, cls: values.CLS ?? 0, inpMs: values.INP ?? Number.NaN };
}
