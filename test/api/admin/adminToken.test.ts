import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, expect, it } from "vitest";

import { resolveAdminToken } from "../../../app/composition/adminToken.server.ts";

const dir = mkdtempSync(join(tmpdir(), "holdfast-token-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const STRONG = "a-strong-admin-token-of-32-chars";

it("uses HOLDFAST_ADMIN_TOKEN when set, and writes no file", () => {
  const file = join(dir, "unused");
  expect(resolveAdminToken({ HOLDFAST_ADMIN_TOKEN: ` ${STRONG} ` }, file)).toEqual({ token: STRONG, source: "env", path: null, created: false });
  expect(() => statSync(file)).toThrow();
});

it("refuses a weak HOLDFAST_ADMIN_TOKEN with a clear message", () => {
  expect(() => resolveAdminToken({ HOLDFAST_ADMIN_TOKEN: "short" }, join(dir, "unused"))).toThrow(
    /HOLDFAST_ADMIN_TOKEN must be at least 24 characters.*openssl rand/,
  );
  expect(() => resolveAdminToken({ HOLDFAST_ADMIN_TOKEN: "has spaces in it but is long enough" }, join(dir, "unused"))).toThrow(/no spaces/);
});

it("generates a token once, in an owner-only file, and reuses it", () => {
  const file = join(dir, "generated");
  const first = resolveAdminToken({}, file);
  expect(first).toMatchObject({ source: "file", path: file, created: true });
  expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(readFileSync(file, "utf8").trim()).toBe(first.token);
  expect(resolveAdminToken({ HOLDFAST_ADMIN_TOKEN: "" }, file)).toEqual({ ...first, created: false });
});

it("refuses a token file someone filled with something weak, naming the file", () => {
  const file = join(dir, "weak");
  writeFileSync(file, "123\n", { mode: 0o600 });
  expect(() => resolveAdminToken({}, file)).toThrow(new RegExp(`admin token in ${file} must be at least 24`));
});

it("says what to do when the file cannot be written", () => {
  expect(() => resolveAdminToken({}, join(dir, "missing-folder", "token"))).toThrow(
    /cannot write the admin token file .* \(set HOLDFAST_ADMIN_TOKEN instead\)/,
  );
});
