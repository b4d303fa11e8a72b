import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ACTIONS, isAllowed } from '@contour/domain';
import type { ActiveSession } from '../auth/sessions.js';
import { verifyPassword } from '../auth/passwords.js';
import { Problem, unauthorized } from '../errors.js';
import { clearSessionCookie, setSessionCookie } from '../plugins/auth.js';
import { SessionBody, problems } from '../http/schemas.js';
import type { Services } from '../services.js';

export function sessionBody(session: Pick<ActiveSession, 'user' | 'csrfToken'>) {
  return {
    user: session.user,
    csrfToken: session.csrfToken,
    permissions: ACTIONS.filter((action) => isAllowed(session.user.role, action)),
  };
}

const tooManyAttempts = (): Problem =>
  new Problem(429, 'too-many-requests', 'Too many requests', 'Too many sign-in attempts. Wait a few minutes and try again.');

export const authRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { db, auditLog, sessions, loginThrottle, auth } = services;

  app.post(
    '/api/auth/login',
    {
      config: { public: true, rateLimit: { max: services.config.loginAttemptsPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password',
        body: Type.Object(
          { email: Type.String({ minLength: 3, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 200: SessionBody, ...problems(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const email = request.body.email.trim().toLowerCase();
      const audit = (outcome: 'success' | 'failure', user: { id: string; organisation_id: string; role: string } | undefined, reason?: string) =>
        auditLog.append([
          {
            organisationId: user?.organisation_id ?? null,
            actorUserId: user?.id ?? null,
            actorRole: user?.role ?? null,
            action: 'E',
            event: 'auth.login',
            entityType: 'user',
            entityId: user?.id ?? null,
            outcome,
            sourceIp: request.ip,
            detail: reason ? { reason } : {},
          },
        ]);
      if (loginThrottle.isBlocked(email)) {
        await audit('failure', undefined, 'throttled');
        throw tooManyAttempts();
      }
      const user = await db
        .selectFrom('app_user')
        .select(['id', 'organisation_id', 'role', 'password_hash', 'active'])
        .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
        .executeTakeFirst();
      const passwordOk = await verifyPassword(user?.password_hash ?? null, request.body.password);
      if (!user || !passwordOk || !user.active) {
        loginThrottle.recordFailure(email);
        await audit('failure', user, !user ? 'unknown_account' : !passwordOk ? 'wrong_password' : 'inactive_account');
        throw unauthorized('The email or password is not right.');
      }
      loginThrottle.recordSuccess(email);
      const { token } = await sessions.create(user.id, user.organisation_id, request.ip);
      const session = await sessions.resolve(token);
      if (!session) throw unauthorized();
      await audit('success', user);
      setSessionCookie(reply, request, token, auth);
      return sessionBody(session);
    },
  );

  app.get(
    '/api/auth/session',
    {
      config: { signedIn: true },
      schema: { tags: ['auth'], summary: 'The signed-in user, their permissions and CSRF token', response: { 200: SessionBody, ...problems(401) } },
    },
    async (request) => sessionBody(request.session as ActiveSession),
  );

  app.post(
    '/api/auth/logout',
    { config: { signedIn: true }, schema: { tags: ['auth'], summary: 'Sign out and revoke the session', response: { 204: Type.Null(), ...problems(401, 403) } } },
    async (request, reply) => {
      const session = request.session as ActiveSession;
      await sessions.revoke(session.sessionId);
      await auditLog.append([
        {
          organisationId: session.actor.organisationId,
          actorUserId: session.actor.userId,
          actorRole: session.actor.role,
          action: 'E',
          event: 'auth.logout',
          entityType: 'user',
          entityId: session.actor.userId,
          outcome: 'success',
          sourceIp: request.ip,
        },
      ]);
      clearSessionCookie(reply);
      return reply.status(204).send(null);
    },
  );

};
