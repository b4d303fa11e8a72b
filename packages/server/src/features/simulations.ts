import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Simulation, SimulationList, SimulationParams, SimulationRequest } from '../http/planning-schemas.js';
import { PatientParams, PhotoParams, problems } from '../http/schemas.js';

/** Outcome simulation (issue 6): a plan rendered on the patient's frontal photo, always labelled as a projection. */
export const simulationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/photos/:photoId/simulations',
    {
      config: { action: 'simulation.create' },
      schema: {
        tags: ['simulation'],
        summary: 'Render a plan version (or some of its items) on this frontal photo as a labelled projection: conservative, expected or upper variant, at an intensity, within the clinician’s maximum change per zone (needs simulation consent)',
        params: PhotoParams,
        body: SimulationRequest,
        response: { 201: Simulation, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => reply.status(201).send(await request.data.simulations.create(request.params.photoId, request.body)),
  );

  app.get(
    '/api/patients/:patientId/simulations',
    {
      config: { action: 'simulation.read' },
      schema: { tags: ['simulation'], summary: "The patient's simulations, newest first", params: PatientParams, response: { 200: SimulationList, ...problems(400, 401, 403, 404) } },
    },
    async (request) => ({ items: await request.data.simulations.list(request.params.patientId) }),
  );

  app.get(
    '/api/simulations/:simulationId/image',
    {
      config: { action: 'simulation.read' },
      schema: {
        tags: ['simulation'],
        summary: 'The labelled simulation JPEG ("Simulated projection, not a guaranteed outcome" in its pixels and metadata; checked on every read)',
        params: SimulationParams,
        produces: ['image/jpeg'],
        response: { ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const bytes = await request.data.simulations.image(request.params.simulationId);
      return reply.type('image/jpeg').header('Cache-Control', 'no-store').header('Content-Disposition', `inline; filename="simulation-${request.params.simulationId.slice(0, 8)}.jpg"`).send(bytes);
    },
  );
};
