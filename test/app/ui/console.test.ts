import type { AppLoadContext } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The console signs in with the admin token; set before the routes resolve it.
const TOKEN = "console-test-token-0123456789abcdefXYZ";
process.env.HOLDFAST_ADMIN_TOKEN = TOKEN;

const { loader: layoutLoader } = await import("../../../app/routes/console.tsx");
const { loader: listLoader } = await import("../../../app/routes/console._index.tsx");
const { action: newAction } = await import("../../../app/routes/console.drops.new.tsx");
const { action: liveAction } = await import("../../../app/routes/console.drops.$id_.live.tsx");
const { loader: statsLoader } = await import("../../../app/routes/console.drops.$id_.stats.tsx");
const { action: loginAction, loader: loginLoader } = await import("../../../app/routes/console_.login.tsx");
const { action: logoutAction } = await import("../../../app/routes/console_.logout.tsx");
const { salesHarness } = await import("../../core/sales/harness.ts");

let sales: Awaited<ReturnType<typeof salesHarness>>;
let context: AppLoadContext;

beforeAll(async () => {
  sales = await salesHarness({ now: () => Date.now() });
  context = { holdfast: { sales: sales.service, room: sales.room, redis: sales.redis, db: sales.db, holds: sales.holds } } as unknown as AppLoadContext;
});
afterAll(() => sales?.close());

const BASE = "http://127.0.0.1:3000";
const args = (request: Request, params: Record<string, string> = {}) => ({ request, context, params });

async function thrown(run: () => unknown): Promise<Response> {
  try {
    await run();
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  throw new Error("expected a thrown response");
}

async function signIn(base = BASE): Promise<string> {
  const response = (await loginAction(
    args(new Request(`${base}/console/login`, { method: "POST", body: new URLSearchParams({ token: TOKEN, next: "/console/drops/new" }) })),
  )) as Response;
  expect(response.status).toBe(302);
  expect(response.headers.get("location")).toBe("/console/drops/new");
  return response.headers.get("set-cookie") ?? "";
}

const cookieOf = (setCookie: string) => setCookie.split(";")[0] ?? "";
const form = {
  name: "Demo drop",
  timeZone: "UTC",
  startsAt: "",
  endsAt: "",
  prequeueMinutes: "",
  holdMinutes: "10",
  perCustomerLimit: "0",
  admissionMode: "off",
  perMinute: "",
  maxActive: "",
  bypassPolicy: "flag",
  failPolicy: "auto",
  items: [{ title: "Tee", allocation: "50", platformRef: "" }],
};

describe("console sign-in", () => {
  it("sets an httpOnly, SameSite=Strict cookie that holds no token; Secure only over https", async () => {
    const plain = await signIn();
    expect(plain).toMatch(/^hf_console=\d+\.[\w-]{43}; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(plain).not.toContain(TOKEN);
    expect(await signIn("https://holdfast.example")).toMatch(/; Secure$/);
  });

  it("refuses a wrong or empty token with a 401 JSON error and no cookie", async () => {
    for (const token of ["wrong-token-0123456789abcdefghij", ""]) {
      const response = (await loginAction(args(new Request(`${BASE}/console/login`, { method: "POST", body: new URLSearchParams({ token }) })))) as Response;
      expect(response.status).toBe(401);
      expect(response.headers.get("set-cookie")).toBeNull();
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
  });

  it("never redirects outside the console after sign-in", async () => {
    const response = (await loginAction(
      args(new Request(`${BASE}/console/login`, { method: "POST", body: new URLSearchParams({ token: TOKEN, next: "https://evil.example/" }) })),
    )) as Response;
    expect(response.headers.get("location")).toBe("/console");
  });

  it("sends a signed-in visitor of the sign-in page on, and signs out with an expired cookie", async () => {
    const cookie = cookieOf(await signIn());
    const again = await thrown(() => loginLoader(args(new Request(`${BASE}/console/login`, { headers: { cookie } }))));
    expect(again.headers.get("location")).toBe("/console");
    const out = (await logoutAction(args(new Request(`${BASE}/console/logout`, { method: "POST", headers: { cookie } })))) as Response;
    expect(out.headers.get("set-cookie")).toMatch(/^hf_console=; .*Max-Age=0/);
  });

  it("guards every page and data request: sign-in redirect for pages, 401 JSON for data, forged and expired cookies refused", async () => {
    const page = await thrown(() => listLoader(args(new Request(`${BASE}/console`))));
    expect([page.status, page.headers.get("location")]).toEqual([302, "/console/login?next=%2Fconsole"]);
    const data = await thrown(() => statsLoader(args(new Request(`${BASE}/console/drops/x/stats?_data=routes%2Fconsole.drops.%24id_.stats`), { id: "x" })));
    expect(data.status).toBe(401);
    expect(((await data.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    const before = await sales.db.sale.count();
    const write = await thrown(() => newAction(args(new Request(`${BASE}/console/drops/new`, { method: "POST", body: JSON.stringify(form) }))));
    expect(write.status).toBe(401);
    expect(await sales.db.sale.count()).toBe(before);
    const valid = cookieOf(await signIn());
    const [expires, mac] = valid.slice("hf_console=".length).split(".");
    for (const cookie of [`hf_console=${Number(expires) + 1}.${mac}`, `hf_console=${Date.now() - 1}.${mac}`, `hf_console=${TOKEN}`]) {
      const refused = await thrown(() => layoutLoader(args(new Request(`${BASE}/console`, { headers: { cookie } }))));
      expect(refused.status).toBe(302);
    }
  });
});

describe("console drops", () => {
  it("creates a drop without Shopify and runs it from the dashboard", async () => {
    const cookie = cookieOf(await signIn());
    const created = (await newAction(
      args(new Request(`${BASE}/console/drops/new`, { method: "POST", body: JSON.stringify(form), headers: { cookie, "content-type": "application/json" } })),
    )) as Response;
    expect(created.status).toBe(302);
    const id = /\/console\/drops\/(\w+)\/live/.exec(created.headers.get("location") ?? "")?.[1] ?? "";
    const details = await sales.service.get(id);
    expect(details.sale).toMatchObject({ storeId: null, state: "draft", items: [{ title: "Tee", allocation: 50, platformRef: null }] });
    const control = (intent: string) =>
      liveAction(
        args(new Request(`${BASE}/console/drops/${id}/live`, { method: "POST", body: new URLSearchParams({ intent }), headers: { cookie } }), { id }),
      ) as Promise<Response>;
    expect((await control("start")).status).toBe(200);
    // An oversell recorded with its order reaches the dashboard (banner + metric read these numbers).
    const itemId = details.sale.items[0]!.id;
    await sales.db.order.create({
      data: {
        saleId: id,
        platformOrderRef: "over-1",
        status: "oversold_on_platform",
        linesJson: "[]",
        bypass: true,
        oversoldLinesJson: JSON.stringify([{ itemId, quantity: 3 }]),
      },
    });
    await sales.db.order.create({ data: { saleId: id, platformOrderRef: "fine-1", status: "committed", linesJson: "[]" } });
    const live = (await (await statsLoader(args(new Request(`${BASE}/console/drops/${id}/stats`, { headers: { cookie } }), { id }))).json()) as {
      oversold: unknown;
    };
    expect(live.oversold).toEqual({ orders: 1, units: 3 });
    expect((await control("end")).status).toBe(200);
    const stats = (await (await statsLoader(args(new Request(`${BASE}/console/drops/${id}/stats`, { headers: { cookie } }), { id }))).json()) as {
      state: string;
      writeBack: unknown;
    };
    expect(stats).toMatchObject({ state: "ended", writeBack: null });
    const listed = (await (await listLoader(args(new Request(`${BASE}/console`, { headers: { cookie } })))).json()) as { drops: { id: string }[] };
    expect(listed.drops.map((drop) => drop.id)).toContain(id);
  });
});
