import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { FacialAnalysis, GradingAgreement, PhotoParams, ZoneGrade, ZoneGradeInput, problems } from '../http/schemas.js';

/** Facial analysis (issue 4): a frontal photo's analysis, clinicians' zone grades, and AI–clinician agreement. */
export const analysisRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/photos/:photoId/analysis',
    {
      config: { action: 'analysis.read' },
      schema: {
        tags: ['analysis'],
        summary: "A frontal photo's facial analysis: scale, measurements, what is not measurable, zone findings (AI estimates) and clinicians' grades (404 until analysed; 409 not-measurable for other views)",
        params: PhotoParams,
        response: { 200: FacialAnalysis, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => request.data.analysis.get(request.params.photoId),
  );

  app.put(
    '/api/photos/:photoId/grades',
    {
      config: { action: 'analysis.grade' },
      schema: {
        tags: ['analysis'],
        summary: "Grade one zone of the photo 0–4 (clinicians; one grade per clinician per zone and side, replaced on re-grading)",
        params: PhotoParams,
        body: ZoneGradeInput,
        response: { 200: ZoneGrade, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => request.data.analysis.grade(request.params.photoId, request.body),
  );

  app.get(
    '/api/stats/grading-agreement',
    {
      config: { action: 'stats.read' },
      schema: {
        tags: ['stats'],
        summary: "Quadratic-weighted kappa between the AI severity estimates (rounded to 0–4) and clinicians' grades, per zone and overall",
        response: { 200: GradingAgreement, ...problems(401, 403) },
      },
    },
    async (request) => request.data.stats.gradingAgreement(),
  );
};
