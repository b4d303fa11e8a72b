/**
 * The Fastify application. Load order is the architecture (after fastify/demo):
 * external plugins (cookies, rate limit, OpenAPI) → app plugins (problems, security headers, auth)
 * → feature routes → the web app and its SPA fallback.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Problem, notFound } from './errors.js';
import { analysisRoutes } from './features/analysis.js';
import { auditRoutes } from './features/audit.js';
import { authRoutes } from './features/auth.js';
import { consentRoutes } from './features/consents.js';
import { patientFileRoutes } from './features/patient-files.js';
import { patientRoutes } from './features/patients.js';
import { photoRoutes } from './features/photos.js';
import { planningRoutes } from './features/planning.js';
import { simulationRoutes } from './features/simulations.js';
import { setupRoutes } from './features/setup.js';
import { statsRoutes } from './features/stats.js';
import { userRoutes } from './features/users.js';
import { visionAssetRoutes } from './features/vision-assets.js';
import { ProblemSchema } from './http/schemas.js';
import { registerAuth } from './plugins/auth.js';
import { problemBody, registerProblems } from './plugins/problems.js';
import { registerSecurityHeaders } from './plugins/security-headers.js';
import { registerValidation } from './plugins/validation.js';
import type { Services } from './services.js';

export const JSON_BODY_LIMIT = 1024 * 1024;

export async function buildApp(services: Services): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Never log request bodies, query strings (search words may be names) or cookies.
      serializers: {
        req: (req) => ({ method: req.method, url: req.url.split('?')[0], id: req.id }),
      },
      redact: { paths: ['req.headers.cookie', 'req.headers["x-csrf-token"]', 'req.headers.authorization'], remove: true },
    },
    // Per-request lines would carry paths and timing for every patient read; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: config.trustProxy,
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new Problem(429, 'too-many-requests', 'Too many requests', `Too many attempts. Try again in ${Math.ceil(context.ttl / 1000)} seconds.`),
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Contour API', version: '0.1.0', description: 'Clinic platform API. Errors are RFC 9457 problem+json.' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'contour_session' } } },
      security: [{ session: [] }],
    },
  });
  app.addSchema(ProblemSchema);

  registerValidation(app);
  registerProblems(app);
  registerSecurityHeaders(app);
  registerAuth(app, services.auth);

  app.get(
    '/api/health',
    { config: { public: true }, schema: { tags: ['meta'], response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.String() }) } } },
    async () => ({ status: 'ok' as const, database: services.dbKind }),
  );
  app.get('/api/docs', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  await app.register(setupRoutes, { services });
  await app.register(authRoutes, { services });
  await app.register(patientRoutes);
  await app.register(consentRoutes);
  await app.register(patientFileRoutes);
  await app.register(userRoutes);
  await app.register(auditRoutes);
  await app.register(statsRoutes);
  await app.register(planningRoutes);
  await app.register(simulationRoutes);
  await app.register(photoRoutes);
  await app.register(analysisRoutes);
  // Public, cacheable files for in-browser face landmarks (outside /api).
  await app.register(visionAssetRoutes);

  const webRoot = config.webRoot && existsSync(join(config.webRoot, 'index.html')) ? config.webRoot : null;
  if (webRoot) {
    await app.register(fastifyStatic, { root: webRoot, wildcard: false, index: 'index.html' });
  }
  app.setNotFoundHandler((request, reply) => {
    // The single-page app owns every other GET path; the API answers 404 as a problem.
    if (webRoot && request.method === 'GET' && !request.url.startsWith('/api')) {
      return reply.type('text/html').sendFile('index.html');
    }
    const problem = notFound(`${request.method} ${request.url.split('?')[0]}`);
    return reply.status(404).type('application/problem+json').send(problemBody(problem));
  });

  return app;
}
