import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { countOrganisations, createClinic } from '../data/clinics.js';
import { unauthorized } from '../errors.js';
import { Email, Password, SessionBody, problems } from '../http/schemas.js';
import { setSessionCookie } from '../plugins/auth.js';
import type { Services } from '../services.js';
import { sessionBody } from './auth.js';

const Name = Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' });

export const setupRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/api/setup',
    {
      config: { public: true },
      schema: { tags: ['setup'], summary: 'Whether this installation still needs its first clinic', response: { 200: Type.Object({ needsSetup: Type.Boolean() }) } },
    },
    async () => ({ needsSetup: (await countOrganisations(services.db)) === 0 }),
  );

  app.post(
    '/api/setup',
    {
      config: { public: true, rateLimit: { max: services.config.loginAttemptsPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['setup'],
        summary: 'First run: create the clinic, its first location and its owner, and sign the owner in',
        body: Type.Object(
          {
            clinicName: Name,
            locationName: Name,
            timezone: Type.Optional(Type.String({ maxLength: 64 })),
            owner: Type.Object({ email: Email, displayName: Name, password: Password }, { additionalProperties: false }),
          },
          { additionalProperties: false },
        ),
        response: { 201: SessionBody, ...problems(400, 403, 409, 429) },
      },
    },
    async (request, reply) => {
      const { organisationId, owner } = await createClinic(services.db, services.auditLog, request.body, {
        sourceIp: request.ip,
        onlyIfFirst: true,
      });
      const { token } = await services.sessions.create(owner.id, organisationId, request.ip);
      const session = await services.sessions.resolve(token);
      if (!session) throw unauthorized();
      setSessionCookie(reply, request, token, services.auth);
      return reply.status(201).send(sessionBody(session));
    },
  );
};
