// The suite-scoped form of databases.ts, kept apart because it registers vitest hooks, and
// databases.ts is also loaded outside vitest (the admin pages' bench server).
import { afterAll, beforeAll } from "vitest";

import { createDb, type DatabaseKind, type Db } from "../../app/db/client.server.ts";
import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { freshDatabase, type TestDatabase } from "./databases.ts";

/** A migrated throwaway database of `kind` for one suite: created before its tests, dropped after them. */
export function migratedDatabaseForSuite(kind: DatabaseKind): { readonly database: TestDatabase; readonly db: Db } {
  let database: TestDatabase | undefined;
  let db: Db | undefined;
  beforeAll(async () => {
    database = await freshDatabase(kind);
    await migrateDatabase(database.url, () => undefined);
    db = createDb(database.url);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the suite's database is created in beforeAll");
    return value;
  };
  return {
    get database() {
      return opened(database);
    },
    get db() {
      return opened(db);
    },
  };
}
