/**
 * Who is calling: resolves the session cookie, enforces CSRF on cookie-authenticated writes, gates each
 * route by the action it declares, and binds `request.data` to the caller. Routes must declare
 * `config.public`, `config.signedIn` or `config.action`; a route that declares none fails start-up.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Action } from '@contour/domain';
import type { ActiveSession, SessionStore } from '../auth/sessions.js';
import { ClinicData } from '../data/clinic-data.js';
import type { AuditLog } from '../data/audit-log.js';
import type { PatientVault } from '../data/patient-vault.js';
import type { PhotoAnalysisJobs } from '../data/photo-analysis.js';
import type { Db } from '../db/database.js';
import { forbidden, unauthorized } from '../errors.js';

export const SESSION_COOKIE = 'contour_session';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a session (health, setup, login, docs). */
    public?: boolean;
    /** Needs a session, but no particular permission (own session, logout). */
    signedIn?: boolean;
    /** Needs a session whose role the policy allows this action. */
    action?: Action;
  }
  interface FastifyRequest {
    session: ActiveSession | null;
    data: ClinicData;
  }
  interface FastifyInstance {
    /** Every API route with the access it declares: the access matrix test walks this list. */
    apiRoutes: ApiRoute[];
  }
}

export interface ApiRoute {
  method: string;
  url: string;
  access: { public?: boolean; signedIn?: boolean; action?: Action };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A cross-site form cannot post to us: when the browser says where a request came from, it must be here. */
function assertSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (!origin) return;
  const same = (() => {
    try {
      // Through URL on both sides, so "http://host:80" and "http://host" compare equal.
      return new URL(origin).origin === new URL(`${request.protocol}://${request.host}`).origin;
    } catch {
      return false;
    }
  })();
  if (!same) throw forbidden('The request came from another site.');
}

export interface AuthDeps {
  db: Db;
  auditLog: AuditLog;
  vault: PatientVault;
  photoAnalysis: PhotoAnalysisJobs;
  sessions: SessionStore;
  secureCookies: 'auto' | boolean;
  sessionMaxSeconds: number;
}

export function setSessionCookie(reply: FastifyReply, request: FastifyRequest, token: string, deps: AuthDeps): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: deps.secureCookies === 'auto' ? request.protocol === 'https' : deps.secureCookies,
    path: '/',
    maxAge: deps.sessionMaxSeconds,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

export function registerAuth(app: FastifyInstance, deps: AuthDeps): void {
  app.decorateRequest('session', null);
  app.decorateRequest('data', null as unknown as ClinicData);

  const apiRoutes: ApiRoute[] = [];
  app.decorate('apiRoutes', apiRoutes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api')) return;
    const config = route.config ?? {};
    const declared = [config.public, config.signedIn, config.action].filter(Boolean).length;
    if (declared !== 1) {
      throw new Error(`Route ${String(route.method)} ${route.url} must declare exactly one of public, signedIn or action`);
    }
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      apiRoutes.push({ method, url: route.url, access: { public: config.public, signedIn: config.signedIn, action: config.action } });
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config;
    const token = request.cookies[SESSION_COOKIE];
    request.session = token ? await deps.sessions.resolve(token) : null;
    request.data = new ClinicData(deps.db, deps.auditLog, deps.vault, deps.photoAnalysis, {
      actor: request.session?.actor ?? null,
      sourceIp: request.ip,
    });
    if (config.public || !request.routeOptions.url?.startsWith('/api')) {
      if (UNSAFE.has(request.method)) assertSameOrigin(request);
      return;
    }
    if (!request.session) {
      if (token) clearSessionCookie(reply);
      throw unauthorized(token ? 'Your session has ended. Sign in again.' : 'Sign in to continue.');
    }
    if (UNSAFE.has(request.method)) {
      assertSameOrigin(request);
      const header = request.headers['x-csrf-token'];
      if (typeof header !== 'string' || !sameText(header, request.session.csrfToken)) {
        throw forbidden('Missing or wrong CSRF token. Reload the page and try again.');
      }
    }
    if (config.action) await request.data.authorize(config.action, `route:${request.method} ${request.routeOptions.url}`);
  });
}
