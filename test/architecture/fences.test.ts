// The lint fences of every part (eslint.fences.js) really fail on a forbidden import: each
// fence is fed a file of its part that imports something it must not, and one it may.
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

import { PART_FENCES } from "../../eslint.fences.js";

const ROOT = new URL("../../", import.meta.url).pathname;

/** A path inside the part, and one import each fence forbids (relative to that path). */
const PROBES: Record<string, { file: string; forbidden: string; allowed: string }> = {
  core: { file: "app/core/inventory/Probe.ts", forbidden: "../../platforms/shopify/index.ts", allowed: "../keys.ts" },
  api: { file: "app/api/storefront/probe.ts", forbidden: "@remix-run/node", allowed: "../../core/keys.ts" },
  platforms: { file: "app/platforms/shopify/probe.ts", forbidden: "../../routes/app.tsx", allowed: "../../core/keys.ts" },
  db: { file: "app/db/Probe.ts", forbidden: "../api/router.ts", allowed: "../core/keys.ts" },
  stores: { file: "app/stores/probe.server.ts", forbidden: "../generated/prisma-sqlite/index.js", allowed: "../db/StoreRecords.ts" },
  webhooks: { file: "app/webhooks/probe.server.ts", forbidden: "../drops/live.server.ts", allowed: "../core/keys.ts" },
  drops: { file: "app/drops/probe.server.ts", forbidden: "@prisma/client", allowed: "../core/keys.ts" },
  components: { file: "app/components/Probe.tsx", forbidden: "../db/client.server.ts", allowed: "@shopify/polaris" },
  routes: { file: "app/routes/probe.tsx", forbidden: "../core/keys.ts", allowed: "../drops/live.server.ts" },
  web: { file: "app/web/probe.server.ts", forbidden: "../db/client.server.ts", allowed: "../core/logger.ts" },
};

async function importErrors(eslint: ESLint, file: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { probe } from "${specifier}";\nexport const used = probe;\n`, { filePath: `${ROOT}${file}` });
  return (result?.messages ?? []).filter((message) => message.ruleId === "no-restricted-imports").map((message) => message.message);
}

describe("lint fences", () => {
  const eslint = new ESLint({ cwd: ROOT });

  it("every part of app/ has a fence and a probe", () => {
    expect(PART_FENCES.map((fence) => fence.part).sort()).toEqual(Object.keys(PROBES).sort());
  });

  for (const [part, probe] of Object.entries(PROBES)) {
    it(`${part}: a forbidden import fails lint, an allowed one passes`, async () => {
      expect(await importErrors(eslint, probe.file, probe.forbidden)).toHaveLength(1);
      expect(await importErrors(eslint, probe.file, probe.allowed)).toEqual([]);
    });
  }
});
