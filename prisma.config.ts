// Prisma CLI configuration (Prisma 6.19, JS engine; see prisma/README.md): the native schema
// engine cannot be downloaded here, so every CLI command runs through a driver adapter.
// With a config file Prisma no longer reads .env itself, hence dotenv.
import "dotenv/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";
import { databaseKindOf, resolveDatabaseUrl } from "./prisma/database-url.ts";

type ShadowDb = Awaited<ReturnType<PrismaBetterSQLite3["connectToShadowDb"]>>;

/**
 * Prisma 6.19 replays the migrations on the shadow database (`migrate dev` once a migration
 * exists, `migrate diff --from-migrations`) with executeRaw, which better-sqlite3 prepares as
 * a single statement, so every real migration fails with "P3006 ... External error id#0".
 * There, run parameterless SQL as a script, as `migrate deploy` does on the real database.
 */
class SqliteAdapterForCli extends PrismaBetterSQLite3 {
  override async connectToShadowDb(): Promise<ShadowDb> {
    const shadow = await super.connectToShadowDb();
    const executeRaw = shadow.executeRaw.bind(shadow);
    shadow.executeRaw = async (query) => {
      if (query.args.length > 0) return executeRaw(query);
      await shadow.executeScript(query.sql);
      return 0;
    };
    return shadow;
  }
}

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  experimental: { adapter: true },
  engine: "js",
  // The CLI's migrate commands only serve SQLite: against PostgreSQL they fail with the JS
  // engine (prisma/orm#27403), so PostgreSQL goes through app/db/migrate.server.ts instead.
  async adapter() {
    const url = resolveDatabaseUrl();
    if (databaseKindOf(url) !== "sqlite") {
      throw new Error("Prisma CLI migrations here are SQLite-only; for PostgreSQL run `npm run db:migrate`");
    }
    return new SqliteAdapterForCli({ url });
  },
});
