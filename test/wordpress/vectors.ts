/**
 * Cross-language vectors: hold tokens and signed requests made with the core's own code
 * (signToken, signRequest), each with the answer the core itself gives (verifyToken,
 * checkRequestSignature), for the plugin's PHPUnit test to check it answers the same.
 */
import { createHmac } from "node:crypto";

import { checkRequestSignature, signRequest, type SignedRequest } from "../../app/core/tokens/requestSignature.ts";
import { signToken, TokenError, verifyToken, type Keyring, type TokenClaims } from "../../app/core/tokens/index.ts";

export interface TokenVector {
  name: string;
  token: string;
  now: number;
  /** The core's TokenError code, or null when the core accepts it. */
  error: string | null;
  claims: Record<string, unknown>;
}

export interface RequestVector extends SignedRequest {
  name: string;
  secret: string;
  header: string;
  body: string;
  now: number;
  error: string | null;
}

export interface Vectors {
  keys: { kid: string; k: string }[];
  tokens: TokenVector[];
  requests: RequestVector[];
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function forge(header: unknown, claims: unknown, secret: Buffer): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

function coreAnswer(token: string, keyring: Keyring, nowSeconds: number): string | null {
  try {
    verifyToken(token, keyring, { type: "hold", now: nowSeconds * 1000 });
    return null;
  } catch (error) {
    if (error instanceof TokenError) return error.code;
    throw error;
  }
}

export function makeVectors(nowSeconds: number): Vectors {
  const old = { kid: "k-old-0001", secret: Buffer.from("0123456789abcdef0123456789abcdef", "utf8") };
  const current = { kid: "k-new-0002", secret: Buffer.alloc(32, 7) };
  // Rotation: new tokens carry the new kid, older ones still verify with the previous key.
  const keyring: Keyring = { current, previous: [old] };
  const hold = (extra: Partial<TokenClaims> = {}): TokenClaims => ({
    typ: "hold",
    s: "sale-x",
    h: "hold-x",
    sh: "sess",
    iat: nowSeconds - 10,
    exp: nowSeconds + 600,
    ...extra,
  });
  const cases: { name: string; token: string; claims: TokenClaims }[] = [];
  const add = (name: string, claims: TokenClaims, token?: string) => cases.push({ name, claims, token: token ?? signToken(claims, keyring) });

  add("valid, current key", hold());
  add("valid, previous key (rotated)", hold({ h: "hold-old" }), signToken(hold({ h: "hold-old" }), { current: old, previous: [] }));
  add("valid, with claims the plugin does not know yet (sale lines, extras)", hold({ ln: [{ i: "item-1", q: 2 }], future: { nested: true } }));
  add("expired", hold({ iat: nowSeconds - 700, exp: nowSeconds - 1 }));
  add("expires exactly now", hold({ exp: nowSeconds }));
  add("not yet valid", hold({ nbf: nowSeconds + 60 }));
  add("forged: signed with another secret", hold(), forge({ alg: "HS256", typ: "JWT", kid: current.kid }, hold(), Buffer.alloc(32, 9)));
  add(
    "forged: claims changed after signing",
    hold(),
    (() => {
      const [header, , signature] = signToken(hold(), keyring).split(".");
      return `${header}.${b64(hold({ h: "someone-elses-hold" }))}.${signature}`;
    })(),
  );
  add("unknown kid", hold(), forge({ alg: "HS256", typ: "JWT", kid: "k-gone" }, hold(), current.secret));
  add("alg none", hold(), `${b64({ alg: "none", typ: "JWT", kid: current.kid })}.${b64(hold())}.`);
  add("alg HS512 header", hold(), forge({ alg: "HS512", typ: "JWT", kid: current.kid }, hold(), current.secret));
  add("crit header", hold(), forge({ alg: "HS256", typ: "JWT", kid: current.kid, crit: ["x"] }, hold(), current.secret));
  add("a ticket is not a hold", { typ: "ticket", iat: nowSeconds, exp: nowSeconds + 60, sale: "sale-x", n: 1 });
  add("garbage", hold(), "not.a.token!");
  add("signature in another spelling (padding)", hold(), `${signToken(hold(), keyring)}=`);

  const tokens = cases.map(({ name, token, claims }) => ({
    name,
    token,
    now: nowSeconds,
    claims: { ...claims },
    error: coreAnswer(token, keyring, nowSeconds),
  }));

  const secret = "connector-secret-for-vectors-0123456789";
  const adjust = { method: "POST", target: "/holdfast/v1/stock/adjust", body: JSON.stringify({ key: "w-1", adjustments: [{ ref: "12", from: 5, to: 3 }] }) };
  const header = signRequest(secret, adjust, nowSeconds);
  const requests: RequestVector[] = [
    { name: "signed by the core", ...adjust, secret, header },
    { name: "body changed", ...adjust, body: adjust.body.replace('"to":3', '"to":0'), secret, header },
    { name: "other route", ...adjust, target: "/holdfast/v1/status", secret, header },
    { name: "other secret", ...adjust, secret: `${secret}x`, header },
    { name: "stale", ...adjust, secret, header: signRequest(secret, adjust, nowSeconds - 301) },
    { name: "no signature", ...adjust, secret, header: "" },
  ].map((vector) => ({ ...vector, now: nowSeconds, error: checkRequestSignature(vector.secret, vector.header, vector, nowSeconds) }));

  return { keys: [old, current].map(({ kid, secret: key }) => ({ kid, k: key.toString("base64url") })), tokens, requests };
}
