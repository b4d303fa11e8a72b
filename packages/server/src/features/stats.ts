import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PhotoCompliance, problems } from '../http/schemas.js';

export const statsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/stats/overview',
    {
      config: { action: 'stats.read' },
      schema: {
        tags: ['stats'],
        summary: 'Practice aggregates (no identifiable patient data)',
        response: {
          200: Type.Object({
            patients: Type.Object({ total: Type.Integer(), active: Type.Integer(), archived: Type.Integer() }),
            byChannel: Type.Array(Type.Object({ channel: Type.String(), count: Type.Integer() })),
            newByMonth: Type.Array(Type.Object({ month: Type.String(), count: Type.Integer() })),
            consentsInForce: Type.Array(Type.Object({ type: Type.String(), count: Type.Integer() })),
          }),
          ...problems(401, 403),
        },
      },
    },
    async (request) => request.data.stats.overview(),
  );

  app.get(
    '/api/stats/photo-compliance',
    {
      config: { action: 'stats.read' },
      schema: {
        tags: ['stats'],
        summary: 'Per month: patients photographed, and how many had a session with every required view passing',
        querystring: Type.Object({ months: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })) }, { additionalProperties: false }),
        response: { 200: PhotoCompliance, ...problems(400, 401, 403) },
      },
    },
    async (request) => request.data.stats.photoCompliance(request.query.months ?? 12),
  );
};
