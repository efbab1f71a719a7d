import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { freeLoopbackPort } from "../../support/ports.ts";
import { startWebServer, type WebServer } from "./webServer.ts";

// The admin pages when the SQL database does not answer: an outage to wait out, so each page
// answers 503 with Retry-After and its error boundary says what to do, instead of Remix's
// 500 for an unexpected error (session 11's note: "the admin pages answer 500").

let web: WebServer;
let cookie: string;

beforeAll(async () => {
  web = await startWebServer({ databaseUrl: `postgresql://holdfast@127.0.0.1:${await freeLoopbackPort()}/unreachable` });
  // Signing in checks the admin token only: it works with the database away.
  cookie = await web.signIn();
}, 120_000);
afterAll(() => web?.close());

describe("admin pages while the database does not answer", () => {
  it("answers the console's drop list 503 with Retry-After, and the page says what to check", async () => {
    const response = await fetch(`${web.base}/console`, { headers: { cookie } });
    const html = await response.text();
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(html).toContain("Something needs attention");
    expect(html).toContain("database is not answering");
    expect(html).toContain("service_unavailable");
  });

  it("answers a client-side navigation's data request 503 with the code and message as JSON", async () => {
    const response = await fetch(`${web.base}/console?_data=routes%2Fconsole._index`, { headers: { cookie } });
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(body.error.code).toBe("service_unavailable");
    expect(body.error.message).toMatch(/database is not answering.*\/readyz/);
  });
});
