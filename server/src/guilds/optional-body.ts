import type { FastifyRequest } from 'fastify';

/**
 * Route hook for endpoints whose JSON body is optional in Discord's API (PUT bans, POST roles,
 * POST invites): libraries often send none, so a missing body validates as `{}`.
 */
export async function emptyBodyAsObject(req: FastifyRequest): Promise<void> {
  // Only a missing body: an explicit JSON `null` is still refused by the schema.
  if (req.body === undefined) req.body = {};
}
