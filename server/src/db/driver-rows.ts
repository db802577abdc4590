import { getTableColumns, type InferSelectModel, type Table } from 'drizzle-orm';

/**
 * A row of a raw `execute(sql…)` (snake_case column names, driver values) as Drizzle's query builder
 * would have returned it: property names and each column's own decoding (snowflake strings, dates,
 * jsonb). For statements the builder cannot express, such as data-modifying CTEs.
 */
export function fromDriverRow<T extends Table>(table: T, raw: Record<string, unknown>): InferSelectModel<T> {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = raw[column.name];
    out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out as InferSelectModel<T>;
}
