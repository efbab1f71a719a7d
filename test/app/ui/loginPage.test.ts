// The login page asks for a shop domain only outside the Shopify admin (design guidelines).
import { describe, expect, it } from "vitest";

import { insideAdmin } from "../../../app/drops/insideAdmin.server.ts";

const request = (path: string, headers: Record<string, string> = {}) => new Request(`https://app.example${path}`, { headers });

describe("the login page's 'inside the admin' test", () => {
  it("is true for the admin's URLs and its iframe, so the page never asks for the shop there", () => {
    const host = Buffer.from("shop-x.myshopify.com/admin").toString("base64url");
    expect(insideAdmin(request("/auth/login?embedded=1"))).toBe(true);
    expect(insideAdmin(request(`/auth/login?host=${host}`))).toBe(true);
    expect(insideAdmin(request("/auth/login", { "sec-fetch-dest": "iframe" }))).toBe(true);
  });

  it("is false on the non-embedded path, where the page asks for the shop", () => {
    expect(insideAdmin(request("/auth/login", { "sec-fetch-dest": "document" }))).toBe(false);
    expect(insideAdmin(request("/auth/login?embedded=0"))).toBe(false);
  });
});
