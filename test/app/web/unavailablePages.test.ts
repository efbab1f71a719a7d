import type { ActionFunctionArgs, LoaderFunctionArgs, ServerBuild } from "@remix-run/node";
import { describe, expect, it } from "vitest";

import { RedisUnavailableError } from "../../../app/core/resilience/index.ts";
import { answeringUnavailable } from "../../../app/web/unavailable.server.ts";

// Every page, embedded (app.*) and console alike, answers an unanswered dependency with a 503:
// the wrapper goes over every route's loader and action of the build, not a list of pages.
// (databaseOutagePages.test.ts drives one page end to end through Remix.)

const unreachableDatabase = () => Object.assign(new Error("Can't reach database server"), { name: "PrismaClientKnownRequestError", code: "P1001" });

function buildWith(failure: () => unknown): ServerBuild {
  const fail = async () => {
    throw failure();
  };
  const route = (id: string) => ({ id, path: id, module: { default: () => null, loader: fail, action: fail } });
  return { routes: { "routes/app.drops": route("routes/app.drops"), "routes/console.drops": route("routes/console.drops") } } as unknown as ServerBuild;
}

async function thrownBy(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (thrown) {
    return thrown;
  }
  throw new Error("nothing was thrown");
}

const args = {} as LoaderFunctionArgs & ActionFunctionArgs;

describe("answeringUnavailable", () => {
  it("turns an unreachable database into a 503 with Retry-After in every route's loader and action", async () => {
    const build = answeringUnavailable(buildWith(unreachableDatabase));
    for (const [id, route] of Object.entries(build.routes)) {
      for (const handler of [route?.module.loader, route?.module.action]) {
        const thrown = await thrownBy(() => handler?.(args));
        expect(thrown, id).toBeInstanceOf(Response);
        const response = thrown as Response;
        expect(response.status, id).toBe(503);
        expect(response.headers.get("retry-after"), id).toBe("2");
        expect(((await response.json()) as { error: { code: string } }).error.code, id).toBe("service_unavailable");
      }
    }
  });

  it("says when Redis's circuit probes next, and names Redis", async () => {
    const build = answeringUnavailable(buildWith(() => new RedisUnavailableError(3_000)));
    const response = (await thrownBy(() => build.routes["routes/console.drops"]?.module.loader?.(args))) as Response;
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("cannot reach Redis");
  });

  it("leaves every other error and every thrown Response as it was", async () => {
    const bug = new Error("a bug");
    const redirect = new Response(null, { status: 302, headers: { location: "/console/login" } });
    expect(await thrownBy(() => answeringUnavailable(buildWith(() => bug)).routes["routes/app.drops"]?.module.loader?.(args))).toBe(bug);
    expect(await thrownBy(() => answeringUnavailable(buildWith(() => redirect)).routes["routes/app.drops"]?.module.action?.(args))).toBe(redirect);
  });

  it("wraps a build once: development loads it on every request", () => {
    const build = buildWith(unreachableDatabase);
    expect(answeringUnavailable(build)).toBe(answeringUnavailable(build));
  });
});
