import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';

/** A table as the backup sees it: its stored (non-generated) columns and their SQL types. */
export interface TableInfo {
  name: string;
  columns: { name: string; type: string }[];
}

async function rows<T>(q: Queryable, query: ReturnType<typeof sql>): Promise<T[]> {
  const res = (await q.execute(query)) as unknown as { rows: T[] };
  return res.rows;
}

/**
 * Every table in the public schema, parents before children (foreign keys), read from the catalog
 * rather than schema.ts so tables added later are backed up without touching this file.
 */
export async function listTables(q: Queryable): Promise<TableInfo[]> {
  const cols = await rows<{ t: string; c: string; type: string }>(
    q,
    sql`select c.relname as t, a.attname as c, format_type(a.atttypid, a.atttypmod) as type
        from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
        order by c.relname, a.attnum`,
  );
  const fks = await rows<{ child: string; parent: string }>(
    q,
    sql`select cl.relname as child, pr.relname as parent
        from pg_constraint co join pg_class cl on cl.oid = co.conrelid join pg_class pr on pr.oid = co.confrelid
        join pg_namespace n on n.oid = cl.relnamespace
        where co.contype = 'f' and n.nspname = 'public'`,
  );
  const tables = new Map<string, TableInfo>();
  for (const r of cols) {
    if (!tables.has(r.t)) tables.set(r.t, { name: r.t, columns: [] });
    tables.get(r.t)?.columns.push({ name: r.c, type: r.type });
  }
  const parents = new Map<string, Set<string>>();
  for (const f of fks) if (f.child !== f.parent) (parents.get(f.child) ?? parents.set(f.child, new Set()).get(f.child))?.add(f.parent);
  const ordered: TableInfo[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const p of parents.get(name) ?? []) visit(p);
    const t = tables.get(name);
    if (t) ordered.push(t);
  };
  for (const name of [...tables.keys()].sort()) visit(name);
  return ordered;
}

/** Identifier quoting for catalog names (they come from the catalog, never from users). */
export const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Puts every column-owned sequence past the highest value restored (serial/identity columns). */
export async function resetSequences(q: Queryable): Promise<void> {
  const seqs = await rows<{ seq: string; t: string; c: string }>(
    q,
    sql`select s.relname as seq, t.relname as t, a.attname as c
        from pg_depend d join pg_class s on s.oid = d.objid and s.relkind = 'S'
        join pg_class t on t.oid = d.refobjid join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
        join pg_namespace n on n.oid = t.relnamespace where n.nspname = 'public'`,
  );
  for (const s of seqs) {
    await q.execute(
      sql.raw(`select setval('public.${ident(s.seq)}', coalesce((select max(${ident(s.c)}) from public.${ident(s.t)}), 0) + 1, false)`),
    );
  }
}
