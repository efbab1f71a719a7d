import type { ServerBuild } from "@remix-run/node";
import { describe, expect, it } from "vitest";

import { remixServes } from "../../../app/web/routes.server.ts";

const build = (basename: string | undefined) => ({ basename, routes: { root: { id: "root", path: "" } } }) as unknown as ServerBuild;

describe("Remix's lazy route discovery endpoint", () => {
  // Without it every client navigation logs "Failed to fetch manifest patches" (seen in the admin pages' browser test).
  it("is served with the default basename '/' and with a custom one", () => {
    expect(remixServes(build("/"), "/__manifest")).toBe(true);
    expect(remixServes(build(undefined), "/__manifest")).toBe(true);
    expect(remixServes(build("/shop/"), "/shop/__manifest")).toBe(true);
    expect(remixServes(build("/"), "//__manifest")).toBe(false);
  });
});
