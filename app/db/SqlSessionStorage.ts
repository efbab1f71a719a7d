import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";

import { open, seal } from "../core/secrets/index.ts";
import { isUniqueViolation, type Db } from "./client.server.ts";

type SessionRow = NonNullable<Awaited<ReturnType<Db["session"]["findUnique"]>>>;

/**
 * Shopify sessions in the `Session` table (the template's model), through our Prisma client.
 * Same rows as @shopify/shopify-app-session-storage-prisma writes; that package cannot be used
 * here because it imports the default `@prisma/client`, and this project generates its clients
 * elsewhere (app/generated/, one per database; see prisma/README.md).
 *
 * The access and refresh tokens are sealed with the master key (like the Store's credentials),
 * each for its own row; a row written in clear by an older version still loads.
 */
export class SqlSessionStorage implements SessionStorage {
  constructor(
    private readonly db: Db,
    private readonly masterKey: Buffer,
  ) {}

  async storeSession(session: Session): Promise<boolean> {
    const data = this.sealed(toRow(session));
    try {
      await this.db.session.upsert({ where: { id: session.id }, create: data, update: data });
    } catch (error) {
      // Two requests storing the same new session: the loser's insert hits the key; update instead.
      if (!isUniqueViolation(error)) throw error;
      await this.db.session.update({ where: { id: session.id }, data });
    }
    return true;
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const row = await this.db.session.findUnique({ where: { id } });
    return row ? toSession(this.opened(row)) : undefined;
  }

  async deleteSession(id: string): Promise<boolean> {
    await this.db.session.deleteMany({ where: { id } });
    return true;
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    await this.db.session.deleteMany({ where: { id: { in: ids } } });
    return true;
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    const rows = await this.db.session.findMany({ where: { shop }, take: 25, orderBy: [{ expires: "desc" }] });
    return rows.map((row) => toSession(this.opened(row)));
  }

  private sealed(row: SessionRow): SessionRow {
    const context = sessionContext(row.id);
    return {
      ...row,
      accessToken: row.accessToken ? seal(row.accessToken, this.masterKey, context) : "",
      refreshToken: row.refreshToken ? seal(row.refreshToken, this.masterKey, `${context}:refresh`) : null,
    };
  }

  private opened(row: SessionRow): SessionRow {
    const context = sessionContext(row.id);
    return {
      ...row,
      accessToken: openOrClear(row.accessToken, this.masterKey, context),
      refreshToken: row.refreshToken === null ? null : openOrClear(row.refreshToken, this.masterKey, `${context}:refresh`),
    };
  }
}

function sessionContext(id: string): string {
  return `session:${id}`;
}

/** Sealed values start with the seal format's version; Shopify's tokens never do (shpat_, shpua_, ...). */
function openOrClear(value: string, masterKey: Buffer, context: string): string {
  return value.startsWith("v1.") ? open(value, masterKey, context) : value;
}

function toRow(session: Session): Omit<SessionRow, never> {
  const user = session.onlineAccessInfo?.associated_user;
  return {
    id: session.id,
    shop: session.shop,
    state: session.state,
    isOnline: session.isOnline,
    scope: session.scope ?? null,
    expires: session.expires ?? null,
    accessToken: session.accessToken ?? "",
    userId: user?.id === undefined ? null : BigInt(user.id),
    firstName: user?.first_name ?? null,
    lastName: user?.last_name ?? null,
    email: user?.email ?? null,
    accountOwner: user?.account_owner ?? false,
    locale: user?.locale ?? null,
    collaborator: user?.collaborator ?? false,
    emailVerified: user?.email_verified ?? false,
    refreshToken: session.refreshToken ?? null,
    refreshTokenExpires: session.refreshTokenExpires ?? null,
  };
}

function toSession(row: SessionRow): Session {
  const entries: [string, string | number | boolean][] = [
    ["id", row.id],
    ["shop", row.shop],
    ["state", row.state],
    ["isOnline", row.isOnline],
  ];
  const optional: [string, string | number | boolean | null | undefined][] = [
    ["scope", row.scope],
    ["expires", row.expires?.getTime()],
    ["accessToken", row.accessToken || null],
    ["refreshToken", row.refreshToken],
    ["refreshTokenExpires", row.refreshTokenExpires?.getTime()],
    ["userId", row.userId === null ? null : String(row.userId)],
    ["firstName", row.firstName],
    ["lastName", row.lastName],
    ["email", row.email],
    ["locale", row.locale],
    ["accountOwner", row.accountOwner],
    ["collaborator", row.collaborator],
    ["emailVerified", row.emailVerified],
  ];
  for (const [key, value] of optional) if (value !== null && value !== undefined) entries.push([key, value]);
  return Session.fromPropertyArray(entries, true);
}
