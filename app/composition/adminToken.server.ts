// The admin API's bearer token: HOLDFAST_ADMIN_TOKEN when set, otherwise one generated on
// first start and kept in a file only the owner can read, so `npm start` works with no
// configuration and the token survives restarts. The token itself is never logged.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

import { MIN_ADMIN_TOKEN_LENGTH } from "../api/admin/auth.ts";
import { DEV_ADMIN_TOKEN_FILE } from "./devFiles.ts";

/** prisma/.holdfast-admin-token: next to the default database, and gitignored like it. */
export const DEFAULT_ADMIN_TOKEN_FILE = DEV_ADMIN_TOKEN_FILE;

export interface AdminTokenResolution {
  token: string;
  source: "env" | "file";
  /** The token file; null when the token came from the environment. */
  path: string | null;
  /** True when this call generated the token (first start). */
  created: boolean;
}

// Visible ASCII only: the token travels in an HTTP header and gets pasted into shells.
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

function assertUsable(token: string, where: string, fix: string): void {
  if (token.length < MIN_ADMIN_TOKEN_LENGTH || !TOKEN_PATTERN.test(token)) {
    throw new Error(`${where} must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters of visible ASCII (no spaces); ${fix}`);
  }
}

function readToken(file: string): string | null {
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(`cannot read the admin token file ${file}: ${(error as Error).message}`, { cause: error });
  }
}

export function resolveAdminToken(env: NodeJS.ProcessEnv = process.env, file: string = DEFAULT_ADMIN_TOKEN_FILE): AdminTokenResolution {
  const fromEnv = env.HOLDFAST_ADMIN_TOKEN?.trim();
  if (fromEnv) {
    assertUsable(fromEnv, "HOLDFAST_ADMIN_TOKEN", "generate one with `openssl rand -base64 32`, or unset it to use a generated token");
    return { token: fromEnv, source: "env", path: null, created: false };
  }
  const fix = `replace it with the output of \`openssl rand -base64 32\`, or delete the file to get a new token`;
  const existing = readToken(file);
  if (existing !== null) {
    assertUsable(existing, `the admin token in ${file}`, fix);
    return { token: existing, source: "file", path: file, created: false };
  }
  const token = randomBytes(32).toString("base64url");
  try {
    // 'wx': of two processes starting at once, one writes and the other reads its token.
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
      throw new Error(`cannot write the admin token file ${file} (set HOLDFAST_ADMIN_TOKEN instead): ${(error as Error).message}`, { cause: error });
    }
    const written = readToken(file) ?? "";
    assertUsable(written, `the admin token in ${file}`, fix);
    return { token: written, source: "file", path: file, created: false };
  }
  return { token, source: "file", path: file, created: true };
}
