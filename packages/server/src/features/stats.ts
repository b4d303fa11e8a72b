import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { problems } from '../http/schemas.js';

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
};
