import { describe, expect, it } from "vitest";

import { parseRetryAfter } from "../../../app/platforms/httpErrors.ts";
import { wooHttpError, wooItemError, wooTransportError } from "../../../app/platforms/woocommerce/errors.ts";

const now = Date.UTC(2026, 10, 28, 12);
const wc = (code: string, status: number) => ({ code, message: "m", data: { status } });

describe("WooCommerce error mapping", () => {
  it.each([
    [401, "woocommerce_rest_authentication_error", "unauthorized"],
    [401, "woocommerce_rest_cannot_view", "unauthorized"],
    [403, "woocommerce_rest_cannot_edit", "unauthorized"],
    [404, "woocommerce_rest_product_invalid_id", "not_found"],
    [400, "woocommerce_rest_shop_order_invalid_id", "not_found"],
    [404, "rest_no_route", "rejected"],
    [413, "woocommerce_rest_request_entity_too_large", "rejected"],
    [400, "rest_invalid_param", "rejected"],
    [400, "customer_invalid_billing_email", "rejected"],
    [409, "some_conflict", "rejected"],
    [408, "request_timeout", "unavailable"],
    [500, "internal_server_error", "unavailable"],
    [503, "maintenance", "unavailable"],
    [429, "too_many_requests", "throttled"],
    [301, "http_301", "rejected"],
  ] as const)("HTTP %i %s is %s, keeping the code", (status, code, kind) => {
    const error = wooHttpError(status, wc(code, status), undefined, now);
    expect(error.kind).toBe(kind);
    expect(error.details.code).toBe(code);
    expect(error.details.status).toBe(status);
  });

  it("keeps a code even when the body is not WooCommerce's", () => {
    expect(wooHttpError(502, "<html>Bad gateway</html>", undefined, now).details).toEqual({ status: 502, code: "http_502" });
  });

  it("reads Retry-After as seconds or an HTTP date, defaulting when absent", () => {
    expect(parseRetryAfter("12", now)).toBe(12_000);
    expect(parseRetryAfter(new Date(now + 4_000).toUTCString(), now)).toBe(4_000);
    expect(parseRetryAfter(new Date(now - 4_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(wooHttpError(429, {}, undefined, now).details.retryAfterMs).toBe(1_000);
  });

  it("maps a batch item's error by its data.status", () => {
    expect(wooItemError(wc("woocommerce_rest_product_invalid_id", 400), now).kind).toBe("not_found");
    expect(wooItemError(wc("woocommerce_product_invalid_sku", 400), now).kind).toBe("rejected");
    expect(wooItemError({ code: "db_error", message: "m", data: { status: 500 } }, now).kind).toBe("unavailable");
  });

  it("treats timeouts and network failures as unavailable", () => {
    expect(wooTransportError(new Error("aborted"), 5_000).details.code).toBe("holdfast_timeout");
    expect(wooTransportError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), null).details.code).toBe("ECONNRESET");
  });
});
