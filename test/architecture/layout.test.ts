// docs/architecture.md against the code: the parts it names exist and are fenced, app/ holds
// only the entry points it lists, and the one-home rules (Prisma, Redis keys, wiring) hold.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { PART_FENCES } from "../../eslint.fences.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const APP = path.join(ROOT, "app");
const page = readFileSync(path.join(ROOT, "docs/architecture.md"), "utf8");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === "generated") return [];
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(name) ? [full] : [];
  });
}

const relative = (file: string) => path.relative(ROOT, file);
const files = sourceFiles(APP);

describe("docs/architecture.md matches the code", () => {
  it("names every part of app/, each of which exists and is fenced", () => {
    const parts = [...page.matchAll(/^\| `([a-z-]+)\/` \|/gm)].map((match) => match[1] as string);
    const folders = readdirSync(APP).filter((name) => name !== "generated" && statSync(path.join(APP, name)).isDirectory());
    expect(parts.sort()).toEqual(folders.sort());
    const fenced = new Set(PART_FENCES.map((fence) => fence.part));
    expect(parts.filter((part) => part !== "composition" && !fenced.has(part))).toEqual([]);
  });

  it("app/ itself holds only the entry points the page lists", () => {
    const listed = page.slice(page.indexOf("Entry points")).split("\n\n")[0] as string;
    const loose = readdirSync(APP).filter((name) => statSync(path.join(APP, name)).isFile());
    for (const name of loose) expect(listed, `${name} is a loose file in app/`).toContain(`\`${name}\``);
  });

  it("only app/db/ runs Prisma queries", () => {
    const query =
      /\b(?:db|this\.db|deps\.db|holdfast\.db)\.(?:\$transaction|\$queryRaw|[a-zA-Z]+\.(?:find\w*|create\w*|update\w*|upsert|delete\w*|count|aggregate|groupBy))\(/;
    expect(files.filter((file) => !relative(file).startsWith("app/db/") && query.test(readFileSync(file, "utf8"))).map(relative)).toEqual([]);
  });

  it("only core/keys.ts spells Redis key names or their hash tags", () => {
    // "hf:..." names, and layouts such as `${prefix}{b:${storeId}}:books` that take their root from a caller.
    const keyLiteral = /["'`]hf:|\{[a-z]{1,4}:\$\{/;
    expect(
      files
        .filter((file) => relative(file) !== "app/core/keys.ts" && keyLiteral.test(readFileSync(file, "utf8").replace(/^\s*(\/\/|\*).*$/gm, "")))
        .map(relative),
    ).toEqual([]);
  });

  it("only composition/ builds the core's parts", () => {
    const wiring = /\b(?:createRedis|createDb)\(|new (?:HoldEngine|WaitingRoom|SaleService)\(/;
    const allowed = new Set(["app/composition/core.server.ts", "app/core/redis.ts", "app/db/client.server.ts"]);
    expect(files.filter((file) => !allowed.has(relative(file)) && wiring.test(readFileSync(file, "utf8"))).map(relative)).toEqual([]);
  });
});
