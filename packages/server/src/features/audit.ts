import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AuditEntry, ChainReport, Id, Nullable, problems } from '../http/schemas.js';

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/audit',
    {
      config: { action: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: "Browse the clinic's audit trail, newest first",
        querystring: Type.Object(
          {
            actorUserId: Type.Optional(Id),
            patientId: Type.Optional(Id),
            event: Type.Optional(Type.String({ maxLength: 80, pattern: '^[A-Za-z.:/ -]*$' })),
            outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('denied'), Type.Literal('failure')])),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            before: Type.Optional(Type.Integer({ minimum: 1 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(AuditEntry), nextBefore: Nullable(Type.Integer()) }), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const iso = (value: string | undefined) => (value ? new Date(value).toISOString() : undefined);
      return request.data.audit.search({
        actorUserId: q.actorUserId,
        patientId: q.patientId,
        eventPrefix: q.event,
        outcome: q.outcome,
        from: iso(q.from),
        to: iso(q.to),
        beforeSeq: q.before,
        limit: q.limit ?? 50,
      });
    },
  );

  app.get(
    '/api/audit/verify',
    {
      config: { action: 'audit.verify' },
      schema: { tags: ['audit'], summary: "Re-check the clinic's audit hash chain", response: { 200: ChainReport, ...problems(401, 403) } },
    },
    async (request) => request.data.audit.verify(),
  );
};
