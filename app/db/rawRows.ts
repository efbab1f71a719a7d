// Multi-row statements in raw SQL, for the writes Prisma's model API cannot batch on both
// databases (a multi-row upsert; createMany's skipDuplicates does not exist on SQLite).
import type { DatabaseKind } from "./client.server.ts";

export type RawValue = string | number | boolean | Date | null;

/**
 * `VALUES (…), (…)` for `rows` (each the same number of values) and the flat parameter list,
 * with the placeholders of `kind`: `?` on SQLite, `$1…` on PostgreSQL. Identifiers are the
 * caller's constants; values only ever travel as parameters.
 */
export function valuesClause(kind: DatabaseKind, rows: readonly (readonly RawValue[])[]): { sql: string; parameters: RawValue[] } {
  const parameters: RawValue[] = [];
  const tuples = rows.map((row) => {
    const marks = row.map((value) => {
      parameters.push(value);
      return kind === "sqlite" ? "?" : `$${parameters.length}`;
    });
    return `(${marks.join(", ")})`;
  });
  return { sql: `VALUES ${tuples.join(", ")}`, parameters };
}
