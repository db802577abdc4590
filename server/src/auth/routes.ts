import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuthResponse, ErrorResponse, Errors, LoginBody, RefreshBody, RegisterBody } from '@retrocast/protocol';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { ApiError } from '../http/errors.js';
import { loginLimitKeys } from './login-guard.js';
import { deliverTokens, refreshCookieOf, setRefreshCookie } from './refresh-cookie.js';
import { authenticate, doLogin, doLogout, doRefresh, doRegister } from './service.js';

/**
 * POST /auth/register   create an account, log in
 * POST /auth/login      username + password → tokens
 * POST /auth/refresh    rotate a refresh token (body, or the web client's HttpOnly cookie)
 * POST /auth/logout     revoke this login's refresh tokens
 * Our own web client (a same-origin Origin header) gets its refresh token as a cookie, never in JSON.
 */
export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const perMinute = (limit: number, byUsername: boolean) => ({
    limit,
    windowMs: 60_000,
    extraKeys: byUsername
      ? (req: { body?: unknown; ip: string }) => loginLimitKeys(ctx, (req.body as { username?: unknown } | undefined)?.username, req.ip)
      : undefined,
  });
  const tags = ['auth'];
  const errors = { 400: ErrorResponse, 401: ErrorResponse, 409: ErrorResponse, 429: Type.Unknown() };

  app.post('/auth/register', {
    config: { public: true, rateLimit: perMinute(ctx.config.authRateLimitPerMinute, false) },
    schema: { tags, body: RegisterBody, response: { 201: AuthResponse, ...errors } },
    handler: async (req, reply) => reply.code(201).send(deliverTokens(req, reply, await doRegister(ctx, req.body))),
  });

  app.post('/auth/login', {
    config: { public: true, rateLimit: perMinute(ctx.config.authRateLimitPerMinute, true) },
    schema: { tags, body: LoginBody, response: { 200: AuthResponse, ...errors } },
    handler: async (req, reply) => deliverTokens(req, reply, await doLogin(ctx, req.body, req.ip)),
  });

  app.post('/auth/refresh', {
    config: { public: true, rateLimit: perMinute(ctx.config.authRateLimitPerMinute * 2, false) },
    schema: { tags, body: Type.Optional(RefreshBody), response: { 200: AuthResponse, ...errors } },
    handler: async (req, reply) => {
      const token = req.body?.refresh_token ?? refreshCookieOf(req);
      try {
        if (!token) throw new ApiError(Errors.UNAUTHORIZED);
        return deliverTokens(req, reply, await doRefresh(ctx, token));
      } catch (err) {
        // A dead login: drop the cookie too, so the browser stops presenting it.
        if (err instanceof ApiError && err.status === 401 && req.headers.cookie) setRefreshCookie(req, reply, null);
        throw err;
      }
    },
  });

  app.post('/auth/logout', {
    schema: {
      tags,
      body: Type.Optional(Type.Object({ refresh_token: Type.Optional(Type.String({ maxLength: 200 })) })),
      response: { 204: Type.Null(), ...errors },
    },
    handler: async (req, reply) => {
      await doLogout(ctx, caller(req), req.body?.refresh_token);
      setRefreshCookie(req, reply, null);
      return reply.code(204).send(null);
    },
  });
};

/** The one authentication hook: every /api route needs a caller unless its config says public. */
export function installAuthHook(app: import('fastify').FastifyInstance) {
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    const who = await authenticate(app.ctx, request.headers.authorization);
    if (who) request.user = who;
  });
  app.addHook('preValidation', async (request) => {
    if (!request.url.startsWith('/api/') || request.routeOptions.config.public || !request.routeOptions.url) return;
    if (!request.user) throw new ApiError(Errors.UNAUTHORIZED);
  });
}
