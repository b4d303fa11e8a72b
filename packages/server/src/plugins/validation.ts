/**
 * Request validation. JSON bodies are checked strictly (no type coercion: `42` is not a name, unknown
 * fields are refused); query strings, params and headers arrive as text and are coerced to their schema types.
 */
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

function compiler(options: Options): Ajv {
  const ajv = new Ajv({ removeAdditional: false, useDefaults: true, allErrors: false, strict: false, ...options });
  addFormats.default(ajv);
  return ajv;
}

export function registerValidation(app: FastifyInstance): void {
  const strict = compiler({ coerceTypes: false });
  const coercing = compiler({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
  // An API that speaks JSON should say so: text bodies get 415, not a confusing validation error.
  app.removeContentTypeParser('text/plain');
}
