import { cp, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { themeCheckRun } from "@shopify/theme-check-node";
import { afterAll, describe, expect, it } from "vitest";

// The theme app extension, linted offline with Shopify's theme-check (the config Shopify's CLI
// applies to theme app extensions), plus the contracts between its files.

const EXTENSION = fileURLToPath(new URL("../../extensions/waiting-room/", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../node_modules/@shopify/theme-check-node/configs/theme-app-extension.yml", import.meta.url));
const BLOCK = join(EXTENSION, "blocks/waiting-room.liquid");
const WIDGET = join(EXTENSION, "assets/holdfast-waiting-room.js");
const scratch: string[] = [];

afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function lint(root: string) {
  const run = await themeCheckRun(root, CONFIG, () => undefined);
  return { files: run.theme.map((file) => file.uri), offenses: run.offenses.map((o) => `${o.check}: ${o.message}`) };
}

async function brokenCopy(edit: (liquid: string) => string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "holdfast-tae-"));
  scratch.push(dir);
  await cp(EXTENSION, dir, { recursive: true });
  const block = join(dir, "blocks/waiting-room.liquid");
  await writeFile(block, edit(await readFile(block, "utf8")));
  return dir;
}

const localeKeys = async () =>
  Object.keys((JSON.parse(await readFile(join(EXTENSION, "locales/en.default.json"), "utf8")) as { holdfast: object }).holdfast).sort();

describe("waiting-room theme app extension", () => {
  it("passes theme-check with the theme app extension rules", async () => {
    const { files, offenses } = await lint(EXTENSION);
    expect(files.some((file) => file.endsWith("blocks/waiting-room.liquid"))).toBe(true);
    expect(offenses).toEqual([]);
  }, 60_000);

  it("the lint catches a missing translation and a widget over Shopify's 10 KB app-block budget", async () => {
    const missing = await brokenCopy((liquid) => liquid.replace("'holdfast.error_cart'", "'holdfast.no_such_string'"));
    expect((await lint(missing)).offenses).toEqual([expect.stringMatching(/^TranslationKeyExists: 'holdfast.no_such_string'/)]);
    const heavy = await brokenCopy((liquid) => liquid);
    await writeFile(join(heavy, "assets/holdfast-waiting-room.js"), "x".repeat(10_001));
    expect((await lint(heavy)).offenses).toEqual([expect.stringMatching(/^AssetSizeAppBlockJavaScript:/)]);
  }, 60_000);

  it("is an app embed for the body that loads the widget and its stylesheet", async () => {
    const liquid = await readFile(BLOCK, "utf8");
    const schema = JSON.parse(/{% schema %}([\s\S]*){% endschema %}/.exec(liquid)?.[1] ?? "{}") as Record<string, unknown>;
    expect(schema).toMatchObject({ target: "body", javascript: "holdfast-waiting-room.js", stylesheet: "holdfast-waiting-room.css" });
    expect(await readFile(join(EXTENSION, "shopify.extension.toml"), "utf8")).toMatch(/^type = "theme"$/m);
    expect((await stat(WIDGET)).size).toBeLessThanOrEqual(10_000);
  });

  it("renders the widget config as JSON whatever the json-encoded values are, from the drops' metafield or the settings", async () => {
    const liquid = await readFile(BLOCK, "utf8");
    const template = /<script type="application\/json" id="holdfast-config">([\s\S]*?)<\/script>/.exec(liquid)?.[1] ?? "";
    // Each output is `| json`-encoded, so any value renders as one JSON value. Either every drop
    // the app published (the metafield), or one sale with the settings' variant list (a loop of
    // `"id": "item"` pairs, checked with one pair and with none).
    const branches = /{%- if sale_id != blank %}([\s\S]*?){%- else %}([\s\S]*?){%- endif %}/;
    const [, fromSettings = "", fromMetafield = ""] = branches.exec(template) ?? [];
    expect(fromMetafield.trim()).toBe('"drops": {{ drops | json }},');
    const itemsLoop = /"items": {([\s\S]*?)\n\s*},/;
    const loop = itemsLoop.exec(fromSettings)?.[1] ?? "";
    expect(loop).toContain("{%- for pair in pairs -%}");
    expect(loop).toMatch(/{{- kv\[0\] \| strip \| json }}: {{ kv\[1\] \| strip \| json -}}/);
    expect(loop).toMatch(/{%- unless forloop\.last %}, {% endunless -%}/);
    const render = (branch: string) => template.replace(branches, branch).replace(/{{[^}]*\| json[^}]*}}/g, '"v"');
    for (const [branch, keys] of [
      [fromSettings.replace(itemsLoop, '"items": {"4242": "itemA"},'), ["api", "platform", "root", "heading", "sale", "items", "strings"]],
      [fromSettings.replace(itemsLoop, '"items": {},'), ["api", "platform", "root", "heading", "sale", "items", "strings"]],
      [fromMetafield, ["api", "platform", "root", "heading", "drops", "strings"]],
    ] as const) {
      const rendered = render(branch);
      expect(rendered).not.toMatch(/{%|{{/);
      const config = JSON.parse(rendered) as Record<string, unknown>;
      expect(Object.keys(config)).toEqual(keys);
      expect(config.platform).toBe("shopify");
    }
    // Nothing to guard, nothing rendered: the widget then intercepts no click.
    expect(liquid).toMatch(/{%- if sale_id != blank or drops\.size > 0 -%}/);
  });

  it("passes every locale string to the widget, and the widget asks for no string the locale lacks", async () => {
    const liquid = await readFile(BLOCK, "utf8");
    const passed = [...liquid.matchAll(/"(\w+)": \{\{ 'holdfast\.(\w+)' \| t \| json \}\}/g)];
    for (const [, name, key] of passed) expect(name).toBe(key);
    const keys = await localeKeys();
    expect(passed.map(([, name]) => name).sort()).toEqual(keys);

    const widget = await readFile(WIDGET, "utf8");
    const asked = new Set([...widget.matchAll(/\b(?:say|t)\("(\w+)"/g)].map(([, key]) => key as string));
    expect(asked.size).toBeGreaterThan(12);
    for (const key of asked) expect(keys).toContain(key);
    // Counted strings are asked for by their base name; "_other" is the form every language has.
    for (const [, key] of widget.matchAll(/\bpk\("(\w+)"/g)) expect(keys).toContain(`${key}_other`);
    // Error answers map to "error_<code>" strings: one per code the storefront API documents for shoppers.
    for (const code of ["sold_out", "limit_exceeded", "pass_used", "sale_not_open", "sale_ended", "sale_not_found"]) expect(keys).toContain(`error_${code}`);
  });
});
