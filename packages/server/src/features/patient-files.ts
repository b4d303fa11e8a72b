import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ACCEPTED_DOCUMENT_TYPES, MAX_DOCUMENT_BYTES } from '../data/patient-files.js';
import { badRequest } from '../errors.js';
import { Id, Items, PatientFile, PatientParams, problems } from '../http/schemas.js';

export const patientFileRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Uploads arrive as the raw file body; anything else is refused with 415 before it is read.
  app.addContentTypeParser([...ACCEPTED_DOCUMENT_TYPES], { parseAs: 'buffer', bodyLimit: MAX_DOCUMENT_BYTES }, (_request, body, done) => {
    done(null, body);
  });

  app.get(
    '/api/patients/:patientId/files',
    {
      config: { action: 'patientFile.read' },
      schema: { tags: ['files'], summary: "A patient's files", params: PatientParams, response: { 200: Items(PatientFile), ...problems(400, 401, 403, 404) } },
    },
    async (request) => ({ items: await request.data.files.list(request.params.patientId) }),
  );

  app.post(
    '/api/patients/:patientId/files',
    {
      config: { action: 'patientFile.upload' },
      bodyLimit: MAX_DOCUMENT_BYTES,
      schema: {
        tags: ['files'],
        summary: 'Attach a document (JPEG, PNG or PDF; stored encrypted)',
        params: PatientParams,
        querystring: Type.Object({ kind: Type.Optional(Type.Literal('document')) }, { additionalProperties: false }),
        response: { 201: PatientFile, ...problems(400, 401, 403, 404, 410, 413, 415) },
      },
    },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) throw badRequest('Send the file as the request body.');
      const declared = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
      const file = await request.data.files.upload(request.params.patientId, request.query.kind ?? 'document', declared, request.body);
      return reply.status(201).send(file);
    },
  );

  app.get(
    '/api/patients/:patientId/files/:fileId/content',
    {
      config: { action: 'patientFile.read' },
      schema: {
        tags: ['files'],
        summary: 'Download a file (decrypted and integrity-checked)',
        params: Type.Object({ patientId: Id, fileId: Id }, { additionalProperties: false }),
        response: problems(400, 401, 403, 404, 409, 410),
      },
    },
    async (request, reply) => {
      const { file, bytes } = await request.data.files.download(request.params.patientId, request.params.fileId);
      return reply.type(file.contentType).header('Content-Disposition', `attachment; filename="${file.id}"`).send(bytes);
    },
  );
};
