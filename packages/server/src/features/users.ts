import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Id, Items, Location, LocationCreate, User, UserCreate, UserUpdate, problems } from '../http/schemas.js';
import { badRequest } from '../errors.js';
import { isTimeZone } from '../data/locations.js';

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/users',
    { config: { action: 'user.read' }, schema: { tags: ['users'], summary: "The clinic's team", response: { 200: Items(User), ...problems(401, 403) } } },
    async (request) => ({ items: await request.data.users.list() }),
  );

  app.post(
    '/api/users',
    {
      config: { action: 'user.manage' },
      schema: { tags: ['users'], summary: 'Add a team member', body: UserCreate, response: { 201: User, ...problems(400, 401, 403, 409) } },
    },
    async (request, reply) => reply.status(201).send(await request.data.users.create(request.body)),
  );

  app.patch(
    '/api/users/:userId',
    {
      config: { action: 'user.manage' },
      schema: {
        tags: ['users'],
        summary: 'Change a team member: name, role, registration, active, password',
        params: Type.Object({ userId: Id }, { additionalProperties: false }),
        body: UserUpdate,
        response: { 200: User, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => request.data.users.update(request.params.userId, request.body),
  );

  app.get(
    '/api/locations',
    { config: { action: 'location.read' }, schema: { tags: ['locations'], summary: "The clinic's locations", response: { 200: Items(Location), ...problems(401, 403) } } },
    async (request) => ({ items: await request.data.locations.list() }),
  );

  app.post(
    '/api/locations',
    {
      config: { action: 'location.manage' },
      schema: { tags: ['locations'], summary: 'Add a location', body: LocationCreate, response: { 201: Location, ...problems(400, 401, 403) } },
    },
    async (request, reply) => {
      if (request.body.timezone && !isTimeZone(request.body.timezone)) {
        throw badRequest('Unknown time zone.', [{ path: '/timezone', message: 'use an IANA name such as Europe/London' }]);
      }
      return reply.status(201).send(await request.data.locations.create(request.body));
    },
  );
};
