import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { loadMasterKey, MASTER_KEY_VARIABLE, open, seal, SecretsError } from "../../../app/core/secrets/index.ts";

const directory = mkdtempSync(join(tmpdir(), "holdfast-master-key-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let fileCount = 0;
const freshKeyFile = () => join(directory, `nested-${++fileCount}`, ".holdfast-master-key");

function errorOf(run: () => unknown): SecretsError {
  try {
    run();
  } catch (error) {
    if (error instanceof SecretsError) return error;
    throw error;
  }
  throw new Error("expected a SecretsError");
}

describe("loadMasterKey", () => {
  it("uses the variable when set, in standard or URL-safe base64", () => {
    const key = randomBytes(32);
    const keyFile = freshKeyFile();
    expect(loadMasterKey({ [MASTER_KEY_VARIABLE]: key.toString("base64") }, { keyFile })).toEqual({ key, source: "env", generated: false });
    expect(loadMasterKey({ [MASTER_KEY_VARIABLE]: ` ${key.toString("base64url")}\n` }, { keyFile }).key).toEqual(key);
    expect(() => statSync(keyFile)).toThrow();
  });

  it("refuses a malformed variable without echoing it", () => {
    const keyFile = freshKeyFile();
    for (const bad of ["not-a-key", randomBytes(16).toString("base64"), randomBytes(33).toString("base64"), `${randomBytes(32).toString("hex")}`]) {
      const error = errorOf(() => loadMasterKey({ [MASTER_KEY_VARIABLE]: bad }, { keyFile }));
      expect(error.code).toBe("master_key_invalid");
      expect(error.message).toContain(MASTER_KEY_VARIABLE);
      expect(error.message).not.toContain(bad);
    }
  });

  it("generates a private key file on the first start and reuses it after", () => {
    const keyFile = freshKeyFile();
    const first = loadMasterKey({}, { keyFile });
    expect(first).toMatchObject({ source: "file", generated: true });
    expect(first.key).toHaveLength(32);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(dirname(keyFile))).toEqual([".holdfast-master-key"]);
    expect(Buffer.from(readFileSync(keyFile, "utf8").trim(), "base64")).toEqual(first.key);

    const second = loadMasterKey({ [MASTER_KEY_VARIABLE]: "" }, { keyFile });
    expect(second).toEqual({ key: first.key, source: "file", generated: false });
    expect(open(seal("survives a restart", first.key), second.key)).toBe("survives a restart");
  });

  it("refuses a damaged key file instead of replacing it", () => {
    const keyFile = freshKeyFile();
    loadMasterKey({}, { keyFile });
    writeFileSync(keyFile, "garbage\n");
    const error = errorOf(() => loadMasterKey({}, { keyFile }));
    expect(error.code).toBe("master_key_invalid");
    expect(error.message).toContain(keyFile);
    expect(readFileSync(keyFile, "utf8")).toBe("garbage\n");
  });

  it("requires the variable in production unless told otherwise", () => {
    const keyFile = freshKeyFile();
    expect(errorOf(() => loadMasterKey({ NODE_ENV: "production" }, { keyFile })).code).toBe("master_key_missing");
    expect(errorOf(() => loadMasterKey({}, { keyFile, requireVariable: true })).code).toBe("master_key_missing");
    expect(() => statSync(keyFile)).toThrow();
    expect(loadMasterKey({ NODE_ENV: "production" }, { keyFile, requireVariable: false }).generated).toBe(true);
  });
});
