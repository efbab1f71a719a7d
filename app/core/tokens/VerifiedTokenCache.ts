import { checkTokenTimes, verifyToken, type TokenClaims } from "./jwt.ts";
import type { Keyring } from "./keyring.ts";

/** A token whose signature this process checked, with what the caller derived from it. */
/** The registered claims a cached token type must have; its own claims come on top. */
type Claims = Pick<TokenClaims, "typ" | "iat" | "exp" | "nbf">;

export interface VerifiedToken<T extends Claims> {
  readonly claims: T;
  readonly keyring: Keyring;
  /** The session id the token's binding was found to match, so the next poll skips the hash. */
  boundSession: string | null;
}

export interface VerifiedTokenCacheOptions {
  /** The `typ` every token in this cache must have. */
  type: string;
  /** Entries per generation; the cache holds between one and two generations. */
  generationSize?: number;
}

/**
 * Status polling sends the same ticket every few seconds, so re-checking its HMAC and
 * re-parsing its JSON each time is most of a poll's cost. This remembers tokens whose
 * signature verified, keyed by the exact token text and tied to the keyring object that
 * verified it: a reloaded keyring (rotation, a retired key) is a different object, so its
 * tokens are verified afresh. Time claims (exp, nbf) are checked on every hit.
 *
 * Bounded by two generations: when the young map is full it becomes the old one and the
 * previous old one is dropped; a hit in the old generation moves back to the young one. That
 * keeps the tokens that are still polling without a per-hit LRU list.
 */
export class VerifiedTokenCache<T extends Claims> {
  private young = new Map<string, VerifiedToken<T>>();
  private old = new Map<string, VerifiedToken<T>>();
  private readonly type: string;
  private readonly generationSize: number;

  constructor(options: VerifiedTokenCacheOptions) {
    this.type = options.type;
    this.generationSize = options.generationSize ?? 32_768;
  }

  /** The verified token, or throws TokenError as verifyToken does. */
  verify(token: string, keyring: Keyring, now: number): VerifiedToken<T> {
    let entry = this.young.get(token);
    if (entry === undefined) {
      entry = this.old.get(token);
      if (entry !== undefined) {
        this.old.delete(token);
        this.remember(token, entry);
      }
    }
    if (entry !== undefined && entry.keyring === keyring) {
      checkTokenTimes(entry.claims, now, 0);
      return entry;
    }
    const claims: T = verifyToken<T & TokenClaims>(token, keyring, { type: this.type, now });
    const verified: VerifiedToken<T> = { claims, keyring, boundSession: null };
    this.remember(token, verified);
    return verified;
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  private remember(token: string, entry: VerifiedToken<T>): void {
    if (this.young.size >= this.generationSize) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(token, entry);
  }
}
