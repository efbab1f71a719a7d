import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

import { MASTER_KEY_BYTES } from "./seal.ts";
import { SecretsError } from "./SecretsError.ts";

/**
 * The master key seals store credentials and signing keys in SQL.
 *
 *   HOLDFAST_ENCRYPTION_KEY  base64 of 32 random bytes (`openssl rand -base64 32`). Required
 *                            when NODE_ENV=production. Unset elsewhere: a key is generated once
 *                            into `keyFile` (mode 0600) and reused, so `npm start` works with no
 *                            setup; the caller should warn that production must set the variable.
 */
export const MASTER_KEY_VARIABLE = "HOLDFAST_ENCRYPTION_KEY";

export interface MasterKeyOptions {
  /** Where a development key is kept between starts, e.g. prisma/.holdfast-master-key. */
  keyFile: string;
  /** Refuse to fall back to the key file; default: NODE_ENV is "production". */
  requireVariable?: boolean;
}

export interface LoadedMasterKey {
  key: Buffer;
  source: "env" | "file";
  /** True when this start created the key file: the moment to print the one-line warning. */
  generated: boolean;
}

const BASE64_OF_32_BYTES = /^[A-Za-z0-9+/_-]{43}=?$/;

export function loadMasterKey(env: NodeJS.ProcessEnv, options: MasterKeyOptions): LoadedMasterKey {
  const fromEnv = env[MASTER_KEY_VARIABLE]?.trim();
  if (fromEnv) return { key: parseKey(fromEnv, MASTER_KEY_VARIABLE), source: "env", generated: false };
  if (options.requireVariable ?? env.NODE_ENV === "production") {
    throw new SecretsError(
      "master_key_missing",
      `${MASTER_KEY_VARIABLE} must be set in production: base64 of 32 random bytes, e.g. from \`openssl rand -base64 32\`.`,
    );
  }
  const existing = readKeyFile(options.keyFile);
  if (existing) return { key: existing, source: "file", generated: false };
  const created = createKeyFile(options.keyFile);
  if (created) return { key: created, source: "file", generated: true };
  // Another process starting at the same moment wrote the file first: use its key.
  const written = readKeyFile(options.keyFile);
  if (!written) throw new SecretsError("master_key_invalid", `The key file ${options.keyFile} vanished while starting; start again.`);
  return { key: written, source: "file", generated: false };
}

function parseKey(text: string, where: string): Buffer {
  const key = BASE64_OF_32_BYTES.test(text) ? Buffer.from(text, "base64") : null;
  if (key?.length !== MASTER_KEY_BYTES) {
    throw new SecretsError("master_key_invalid", `${where} must be base64 of exactly ${MASTER_KEY_BYTES} bytes, e.g. from \`openssl rand -base64 32\`.`);
  }
  return key;
}

function readKeyFile(path: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) return null;
    throw error;
  }
  return parseKey(text.trim(), `The key file ${path}`);
}

/**
 * Writes a private temporary file, then hard-links it into place: the link either wins or
 * fails with EEXIST, so a concurrent start never reads a half-written key. Null when another
 * process got there first.
 */
function createKeyFile(path: string): Buffer | null {
  mkdirSync(dirname(path), { recursive: true });
  const key = randomBytes(MASTER_KEY_BYTES);
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temporary, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  try {
    linkSync(temporary, path);
    return key;
  } catch (error) {
    if (isErrno(error, "EEXIST")) return null;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && "code" in error && error.code === code;
}
