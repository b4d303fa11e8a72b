import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  Consent,
  ConsentRecord,
  ConsentStatus,
  ConsentTemplate,
  ConsentTemplateCreate,
  Id,
  Items,
  PatientParams,
  problems,
} from '../http/schemas.js';

const ConsentParams = Type.Object({ patientId: Id, consentId: Id }, { additionalProperties: false });

export const consentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/consent-templates',
    {
      config: { action: 'consentTemplate.read' },
      schema: { tags: ['consents'], summary: 'Consent forms, every version', response: { 200: Items(ConsentTemplate), ...problems(401, 403) } },
    },
    async (request) => ({ items: await request.data.consents.templates() }),
  );

  app.post(
    '/api/consent-templates',
    {
      config: { action: 'consentTemplate.manage' },
      schema: {
        tags: ['consents'],
        summary: 'Publish the next version of a consent form',
        body: ConsentTemplateCreate,
        response: { 201: ConsentTemplate, ...problems(400, 401, 403) },
      },
    },
    async (request, reply) => reply.status(201).send(await request.data.consents.publishTemplate(request.body)),
  );

  app.get(
    '/api/patients/:patientId/consents',
    {
      config: { action: 'consent.read' },
      schema: {
        tags: ['consents'],
        summary: "A patient's consent history and what the clinic may do now",
        params: PatientParams,
        response: { 200: Type.Object({ items: Type.Array(Consent), status: Type.Array(ConsentStatus) }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => request.data.consents.list(request.params.patientId),
  );

  app.post(
    '/api/patients/:patientId/consents',
    {
      config: { action: 'consent.record' },
      schema: {
        tags: ['consents'],
        summary: 'Record a signed consent (typed name and drawn signature)',
        params: PatientParams,
        body: ConsentRecord,
        response: { 201: Consent, ...problems(400, 401, 403, 404, 410) },
      },
    },
    async (request, reply) => reply.status(201).send(await request.data.consents.record(request.params.patientId, request.body)),
  );

  app.post(
    '/api/patients/:patientId/consents/:consentId/withdraw',
    {
      config: { action: 'consent.withdraw' },
      schema: {
        tags: ['consents'],
        summary: 'Withdraw a consent; honoured from now on everywhere',
        params: ConsentParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000, pattern: '\\S' }) }, { additionalProperties: false }),
        response: { 200: Consent, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => request.data.consents.withdraw(request.params.patientId, request.params.consentId, request.body.reason),
  );

  app.get(
    '/api/patients/:patientId/consents/:consentId/signature',
    {
      config: { action: 'consent.read' },
      schema: { tags: ['consents'], summary: 'The drawn signature (PNG)', params: ConsentParams, response: problems(400, 401, 403, 404, 409, 410) },
    },
    async (request, reply) => {
      const png = await request.data.consents.signature(request.params.patientId, request.params.consentId);
      return reply.type('image/png').send(png);
    },
  );
};
