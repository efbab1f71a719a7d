import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { launchChromium } from "../support/chromium.ts";

// The widget's counted strings in Chromium, for every language the theme extension ships: the
// key is chosen by the page's language (Intl.PluralRules), the text by the locale file.

const LOCALES = new URL("../../extensions/waiting-room/locales/", import.meta.url);
const WIDGET = new URL("../../extensions/waiting-room/assets/holdfast-waiting-room.js", import.meta.url);

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

async function strings(file: string): Promise<Record<string, string>> {
  return (JSON.parse(await readFile(new URL(file, LOCALES), "utf8")) as { holdfast: Record<string, string> }).holdfast;
}

/**
 * What the widget says for each count, on a page in `lang` with that locale's strings. The page
 * comes from a real HTTP origin: the widget keeps its session in localStorage, which an
 * about:blank page does not have.
 */
async function counted(lang: string, locale: Record<string, string>, key: string, counts: number[]): Promise<string[]> {
  const config = JSON.stringify({ api: "/v1", sale: "s", items: {}, strings: locale }).replace(/</g, "\\u003c");
  const html = `<!doctype html><html lang="${lang}"><body><script type="application/json" id="holdfast-config">${config}</script><script src="/w.js"></script></body></html>`;
  const widget = await readFile(WIDGET);
  const server = createServer((req, res) => {
    const js = req.url === "/w.js";
    res.writeHead(200, { "content-type": js ? "text/javascript" : "text/html; charset=utf-8" });
    res.end(js ? widget : html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const keys = await page.evaluate(
      ([name, ns]) =>
        (ns as number[]).map((n) => (window as unknown as { Holdfast: { pluralKey(k: string, c: number): string } }).Holdfast.pluralKey(name as string, n)),
      [key, counts] as const,
    );
    // Filled in as the widget's t() does: {n} and {ahead} are the count.
    return keys.map((chosen, index) => (locale[chosen] ?? chosen).replace(/\{(n|ahead)\}/g, String(counts[index])).replace(/\{eta\}/g, "…"));
  } finally {
    await page.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("the widget's plurals", { timeout: 120_000 }, () => {
  it("English: 0, 1, 2 and 5 seconds, minutes and shoppers ahead", async () => {
    const en = await strings("en.default.json");
    expect(await counted("en", en, "eta_seconds", [0, 1, 2, 5])).toEqual(["0 seconds", "1 second", "2 seconds", "5 seconds"]);
    expect(await counted("en", en, "eta_minutes", [1, 2])).toEqual(["1 minute", "2 minutes"]);
    expect((await counted("en", en, "ahead", [0, 1, 2, 5])).map((text) => text.split(",")[0])).toEqual([
      "You're next",
      "1 person ahead of you",
      "2 people ahead of you",
      "5 people ahead of you",
    ]);
  });

  it("French: 0 and 1 take the singular, as French counts them", async () => {
    const fr = await strings("fr.json");
    expect(await counted("fr", fr, "eta_seconds", [0, 1, 2, 5])).toEqual(["0 seconde", "1 seconde", "2 secondes", "5 secondes"]);
    expect((await counted("fr-FR", fr, "ahead", [0, 1, 2, 5])).map((text) => text.split(",")[0])).toEqual([
      "C'est bientôt à vous",
      "1 personne devant vous",
      "2 personnes devant vous",
      "5 personnes devant vous",
    ]);
  });

  it("a page without a usable language still picks a form (the browser's rules), never a missing string", async () => {
    const en = await strings("en.default.json");
    for (const lang of ["", "not a language!"]) expect(await counted(lang, en, "eta_seconds", [1, 5])).toEqual(["1 second", "5 seconds"]);
  });

  it("every shipped locale has the same keys as the default, each counted string with its _other form", async () => {
    const en = await strings("en.default.json");
    const fr = await strings("fr.json");
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
    const widget = await readFile(WIDGET, "utf8");
    const countedKeys = [...widget.matchAll(/\bpk\("(\w+)"/g)].map(([, key]) => key as string);
    expect(countedKeys.sort()).toEqual(["ahead", "eta_minutes", "eta_seconds"]);
    for (const key of countedKeys) expect(en).toHaveProperty(`${key}_other`);
  });
});
