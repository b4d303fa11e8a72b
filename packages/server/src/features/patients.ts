import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DateTime, Patient, PatientCreate, PatientParams, PatientSummary, PatientUpdate, problems } from '../http/schemas.js';

export const patientRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/patients',
    {
      config: { action: 'patient.search' },
      schema: {
        tags: ['patients'],
        summary: 'Find patients by name, date of birth, phone or email',
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ maxLength: 200 })),
            includeArchived: Type.Optional(Type.Boolean()),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(PatientSummary), total: Type.Integer() }), ...problems(400, 401, 403) },
      },
    },
    async (request) =>
      request.data.patients.search({
        q: request.query.q ?? '',
        includeArchived: request.query.includeArchived ?? false,
        limit: request.query.limit ?? 50,
        offset: request.query.offset ?? 0,
      }),
  );

  app.post(
    '/api/patients',
    {
      config: { action: 'patient.create' },
      schema: { tags: ['patients'], summary: 'Register a patient', body: PatientCreate, response: { 201: Patient, ...problems(400, 401, 403) } },
    },
    async (request, reply) => reply.status(201).send(await request.data.patients.create(request.body)),
  );

  app.get(
    '/api/patients/:patientId',
    {
      config: { action: 'patient.read' },
      schema: { tags: ['patients'], summary: 'A patient record', params: PatientParams, response: { 200: Patient, ...problems(400, 401, 403, 404) } },
    },
    async (request) => request.data.patients.get(request.params.patientId),
  );

  app.patch(
    '/api/patients/:patientId',
    {
      config: { action: 'patient.update' },
      schema: {
        tags: ['patients'],
        summary: 'Edit a patient record',
        params: PatientParams,
        body: PatientUpdate,
        response: { 200: Patient, ...problems(400, 401, 403, 404, 410) },
      },
    },
    async (request) => request.data.patients.update(request.params.patientId, request.body),
  );

  app.post(
    '/api/patients/:patientId/archive',
    {
      config: { action: 'patient.archive' },
      schema: { tags: ['patients'], summary: 'Archive a patient', params: PatientParams, response: { 200: Patient, ...problems(400, 401, 403, 404, 410) } },
    },
    async (request) => request.data.patients.setArchived(request.params.patientId, true),
  );

  app.post(
    '/api/patients/:patientId/restore',
    {
      config: { action: 'patient.archive' },
      schema: { tags: ['patients'], summary: 'Restore an archived patient', params: PatientParams, response: { 200: Patient, ...problems(400, 401, 403, 404, 410) } },
    },
    async (request) => request.data.patients.setArchived(request.params.patientId, false),
  );

  app.post(
    '/api/patients/:patientId/erase',
    {
      config: { action: 'patient.erase' },
      schema: {
        tags: ['patients'],
        summary: "Erase a patient: blank their identity and destroy their file key (crypto-shredding)",
        params: PatientParams,
        body: Type.Object({ confirmFamilyName: Type.String({ minLength: 1, maxLength: 120 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ erasedAt: DateTime, filesShredded: Type.Integer() }), ...problems(400, 401, 403, 404, 410) },
      },
    },
    async (request) => request.data.patients.erase(request.params.patientId, request.body.confirmFamilyName),
  );
};
