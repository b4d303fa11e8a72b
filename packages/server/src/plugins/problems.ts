/**
 * Every error leaves as RFC 9457 problem+json. Client mistakes (4xx) say what was wrong; anything
 * unexpected is logged (without the request body) and answered with a generic 500.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { Problem, badRequest, type FieldError } from '../errors.js';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  413: 'Request too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
};

function fieldErrors(error: FastifyError): FieldError[] {
  return (error.validation ?? []).map((v) => {
    const params = v.params as { additionalProperty?: string; missingProperty?: string };
    const extra = params.additionalProperty ?? params.missingProperty;
    const path = `${v.instancePath}${extra ? `/${extra}` : ''}` || '/';
    return { path, message: v.message ?? 'is not valid' };
  });
}

export function toProblem(error: FastifyError | Problem): Problem {
  if (error instanceof Problem) return error;
  if (error.validation) {
    const where = error.validationContext === 'body' ? 'request body' : (error.validationContext ?? 'request');
    return badRequest(`The ${where} is not valid.`, fieldErrors(error));
  }
  // Database guards that a concurrent request can trip: answer them as conflicts, not as crashes.
  const code = (error as { code?: unknown }).code;
  if (code === '23505') return new Problem(409, 'conflict', 'Conflict', 'The record was changed by someone else at the same time. Reload and try again.');
  if (code === 'P0001' && /signed/.test(error.message)) {
    return new Problem(409, 'conflict', 'Conflict', 'This plan version is signed and cannot be changed; start a new version to make changes.');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const slug = (TITLES[status] ?? 'client-error').toLowerCase().replace(/\s+/g, '-');
    return new Problem(status, slug, TITLES[status] ?? 'Client error', error.message);
  }
  return new Problem(500, 'internal', 'Internal error', 'Something went wrong on the server. The error was logged.');
}

export function problemBody(problem: Problem): Record<string, unknown> {
  return {
    type: problem.type,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
}

export function registerProblems(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Problem, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error, route: request.routeOptions.url }, 'unhandled error');
    void reply.status(problem.status).type('application/problem+json').send(problemBody(problem));
  });
}
