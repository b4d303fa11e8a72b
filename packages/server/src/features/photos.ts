import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ACCEPTED_PHOTO_TYPES } from '@contour/vision';
import { MAX_PHOTO_BYTES } from '../data/photos.js';
import { badRequest } from '../errors.js';
import {
  EarlierMethodQueued,
  Items,
  PatientParams,
  Photo,
  PhotoLandmarks,
  PhotoParams,
  PhotoProtocol,
  PhotoSession,
  PhotoSessionCreate,
  SessionParams,
  ViewId,
  problems,
} from '../http/schemas.js';

const LINGER_MS = 5_000;

/**
 * The upload takes the raw image as its body. Its parsers live in this plugin's scope only (the
 * patient-files plugin has its own for documents); any other type is refused with 415 before it is read,
 * and a body over the limit with 413 as soon as its declared length (or its bytes so far) exceed it.
 */
const photoUploadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addContentTypeParser([...ACCEPTED_PHOTO_TYPES], { parseAs: 'buffer', bodyLimit: MAX_PHOTO_BYTES }, (_request, body, done) => {
    done(null, body);
  });

  // Lingering close, as nginx and Apache do: a body refused for its size is still read (and discarded) for a
  // few seconds. Closing at once, with the client's bytes unread, resets the connection, and the client can
  // lose the 413 it was sent before it reads it.
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode === 413 && !request.raw.complete) {
      reply.removeHeader('connection');
      const socket = request.raw.socket;
      // (Under app.inject the socket is a stand-in without destroy: nothing to close there.)
      const timer = setTimeout(() => (socket as Partial<typeof socket>).destroy?.(), LINGER_MS);
      timer.unref();
      request.raw.once('end', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    }
    return payload;
  });

  app.post(
    '/api/photo-sessions/:sessionId/photos',
    {
      config: { action: 'photo.capture' },
      bodyLimit: MAX_PHOTO_BYTES,
      schema: {
        tags: ['photos'],
        summary: 'Upload a photo for a view (JPEG, PNG or HEIC; stored upright, without metadata, encrypted)',
        params: SessionParams,
        querystring: Type.Object({ view: ViewId }, { additionalProperties: false }),
        response: { 202: Photo, ...problems(400, 401, 403, 404, 410, 413, 415) },
      },
    },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) throw badRequest('Send the photo as the request body.');
      const photo = await request.data.photos.upload(request.params.sessionId, request.query.view, request.body);
      return reply.status(202).send(photo);
    },
  );
};

export const photoRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/photo-protocol',
    {
      config: { action: 'photo.read' },
      schema: { tags: ['photos'], summary: "The clinic's photo protocol (views, tolerances, quality thresholds)", response: { 200: PhotoProtocol, ...problems(401, 403) } },
    },
    async (request) => request.data.photoProtocol.get(),
  );

  app.put(
    '/api/photo-protocol',
    {
      config: { action: 'photoProtocol.manage' },
      schema: {
        tags: ['photos'],
        summary: "Replace the clinic's photo protocol",
        body: PhotoProtocol,
        response: { 200: PhotoProtocol, ...problems(400, 401, 403) },
      },
    },
    async (request) => request.data.photoProtocol.update(request.body),
  );

  app.post(
    '/api/patients/:patientId/photo-sessions',
    {
      config: { action: 'photo.capture' },
      schema: {
        tags: ['photos'],
        summary: 'Start a photo session (a visit) for a patient',
        params: PatientParams,
        body: PhotoSessionCreate,
        response: { 201: PhotoSession, ...problems(400, 401, 403, 404, 410) },
      },
    },
    async (request, reply) => reply.status(201).send(await request.data.photos.createSession(request.params.patientId, request.body)),
  );

  app.get(
    '/api/patients/:patientId/photo-sessions',
    {
      config: { action: 'photo.read' },
      schema: { tags: ['photos'], summary: "A patient's photo sessions, newest first", params: PatientParams, response: { 200: Items(PhotoSession), ...problems(400, 401, 403, 404) } },
    },
    async (request) => ({ items: await request.data.photos.listSessions(request.params.patientId) }),
  );

  app.get(
    '/api/photo-sessions/:sessionId',
    {
      config: { action: 'photo.read' },
      schema: { tags: ['photos'], summary: 'A photo session with its views and current photos', params: SessionParams, response: { 200: PhotoSession, ...problems(400, 401, 403, 404) } },
    },
    async (request) => request.data.photos.getSession(request.params.sessionId),
  );

  await app.register(photoUploadRoutes);

  app.post(
    '/api/photos/analyse-earlier-method',
    {
      config: { action: 'photo.capture' },
      schema: {
        tags: ['photos'],
        summary: "Queue again (up to 100 per call, oldest first) the clinic's frontal photos an earlier analysis method analysed",
        response: { 200: EarlierMethodQueued, ...problems(401, 403) },
      },
    },
    async (request) => request.data.photos.analyseEarlierMethod(),
  );

  app.post(
    '/api/photos/:photoId/analyse',
    {
      config: { action: 'photo.capture' },
      schema: { tags: ['photos'], summary: 'Queue the photo for (another) analysis', params: PhotoParams, response: { 202: Photo, ...problems(400, 401, 403, 404, 410) } },
    },
    async (request, reply) => reply.status(202).send(await request.data.photos.analyse(request.params.photoId)),
  );

  app.get(
    '/api/photos/:photoId',
    {
      config: { action: 'photo.read' },
      schema: { tags: ['photos'], summary: 'A photo: status, quality checks, pose, consistency with the baseline', params: PhotoParams, response: { 200: Photo, ...problems(400, 401, 403, 404) } },
    },
    async (request) => request.data.photos.get(request.params.photoId),
  );

  for (const which of ['image', 'thumbnail'] as const) {
    app.get(
      `/api/photos/:photoId/${which}`,
      {
        config: { action: 'photo.read' },
        schema: {
          tags: ['photos'],
          summary: which === 'image' ? 'The stored photo (JPEG, decrypted and integrity-checked)' : 'The thumbnail (JPEG)',
          params: PhotoParams,
          response: problems(400, 401, 403, 404, 409, 410),
        },
      },
      async (request, reply) => reply.type('image/jpeg').send(await request.data.photos.image(request.params.photoId, which)),
    );
  }

  app.get(
    '/api/photos/:photoId/landmarks',
    {
      config: { action: 'photo.read' },
      schema: { tags: ['photos'], summary: 'Face landmarks for overlays (404 until analysed)', params: PhotoParams, response: { 200: PhotoLandmarks, ...problems(400, 401, 403, 404) } },
    },
    async (request) => request.data.photos.landmarks(request.params.photoId),
  );
};
