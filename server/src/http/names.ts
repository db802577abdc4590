import type { FastifyInstance } from 'fastify';
import { invalidField } from './errors.js';

/**
 * Characters a name never keeps: C0/C1 controls, bidi embeddings, overrides and isolates
 * (U+202A–202E, U+2066–2069) and marks (U+200E/F, U+061C), zero-width space/non-joiner, word joiner
 * and invisible operators (U+2060–2064), line/paragraph separators, BOM. The zero-width joiner and
 * variation selectors stay: emoji sequences need them.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const STRIPPED = /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200c\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
/** Something a reader can see: not whitespace, not a default-ignorable (fillers, joiners), not a format or combining mark. */
const VISIBLE = /[^\s\p{Default_Ignorable_Code_Point}\p{Cf}\p{Mn}\p{Me}]/u;

/** The one normalisation of every user-visible name: NFC, invisible and direction-changing characters out, trimmed. */
export function normalizeName(raw: string): string {
  return raw.normalize('NFC').replace(STRIPPED, '').trim();
}

/** True when `name` shows at least one character (`ㅤ`, `\u200d\u200d` or spaces do not). */
export function hasVisibleText(name: string): boolean {
  return VISIBLE.test(name);
}

/** Body fields that are names people see: guilds, channels, roles, group DMs, webhooks (`name`), nicknames, display names. */
const NAME_FIELDS = ['name', 'nick', 'display_name', 'global_name'];

/**
 * Normalises the name fields of every API body before its handler runs (after schema validation),
 * and refuses a name that has nothing visible left (400). An empty string stays empty: for
 * nicknames it means "reset".
 */
export function installNameNormalization(app: FastifyInstance) {
  app.addHook('preHandler', async (req) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body) || !req.url.startsWith('/api/')) return;
    for (const field of NAME_FIELDS) {
      const raw = body[field];
      if (typeof raw !== 'string' || raw === '') continue;
      const name = normalizeName(raw);
      if (!hasVisibleText(name)) throw invalidField(field, 'BASE_TYPE_BAD_LENGTH', 'Must contain visible characters.');
      body[field] = name;
    }
  });
}
