import type { FastifyInstance } from 'fastify';

/**
 * Browser hardening for a health-data app: no framing, no sniffing, no referrers, a strict CSP, and
 * no caching of API answers (they hold patient data). The camera is allowed for guided capture.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('X-Content-Type-Options', 'nosniff');
    void reply.header('X-Frame-Options', 'DENY');
    void reply.header('Referrer-Policy', 'no-referrer');
    void reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    void reply.header('Permissions-Policy', 'camera=(self), microphone=(), geolocation=()');
    void reply.header(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self' 'wasm-unsafe-eval'; " +
        "connect-src 'self'; media-src 'self' blob:; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    if (request.url.startsWith('/api/')) void reply.header('Cache-Control', 'no-store');
    return payload;
  });
}
