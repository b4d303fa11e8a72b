import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TreatmentCatalogue as CatalogueValue } from '@contour/domain';
import {
  AddedItemBody,
  GovernanceReport,
  ItemDecisionBody,
  NewPlan,
  NewTreatmentRecord,
  PlanItemParams,
  PlanParams,
  PlanQuery,
  PlanSummaryList,
  PlanVersionParams,
  PlanView,
  StoredCatalogue,
  TreatmentCatalogue,
  TreatmentRecord,
  TreatmentRecordList,
} from '../http/planning-schemas.js';
import { PatientParams, problems } from '../http/schemas.js';

/**
 * Treatment planning (issue 5): the clinic's catalogue, a consultation's suggested plan, the clinician's
 * review and signature, the patient's plan summary PDF, treatments performed, and the AI-governance report.
 */
export const planningRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/catalogue',
    {
      config: { action: 'catalogue.read' },
      schema: { tags: ['planning'], summary: "The clinic's treatment catalogue (the reference defaults until the clinic edits it)", response: { 200: StoredCatalogue, ...problems(401, 403) } },
    },
    async (request) => request.data.catalogue.get(),
  );

  app.put(
    '/api/catalogue',
    {
      config: { action: 'catalogue.manage' },
      bodyLimit: 512 * 1024,
      schema: {
        tags: ['planning'],
        summary: 'Replace the treatment catalogue (owners and administrators); each save is a new catalogue version',
        body: TreatmentCatalogue,
        response: { 200: StoredCatalogue, ...problems(400, 401, 403) },
      },
    },
    async (request) => request.data.catalogue.update(request.body as CatalogueValue),
  );

  app.get(
    '/api/patients/:patientId/plans',
    {
      config: { action: 'plan.read' },
      schema: { tags: ['planning'], summary: "The patient's treatment plans, newest first", params: PatientParams, response: { 200: PlanSummaryList, ...problems(400, 401, 403, 404) } },
    },
    async (request) => ({ items: await request.data.plans.list(request.params.patientId) }),
  );

  app.post(
    '/api/patients/:patientId/plans',
    {
      config: { action: 'plan.create' },
      schema: {
        tags: ['planning'],
        summary: "Record the consultation intake and make the suggested plan from it, the photo's facial analysis, the screening and the catalogue (version 1, a draft)",
        params: PatientParams,
        body: NewPlan,
        response: { 201: PlanView, ...problems(400, 401, 403, 404, 409, 410) },
      },
    },
    async (request, reply) => reply.status(201).send(await request.data.plans.create(request.params.patientId, request.body)),
  );

  app.get(
    '/api/plans/:planId',
    {
      config: { action: 'plan.read' },
      schema: {
        tags: ['planning'],
        summary: 'A plan: its consultation, versions, and one version (the latest unless ?version=) with the suggestion, decisions and decision record',
        params: PlanParams,
        querystring: PlanQuery,
        response: { 200: PlanView, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => request.data.plans.get(request.params.planId, request.query.version),
  );

  app.put(
    '/api/plans/:planId/versions/:version/items/:itemKey/decision',
    {
      config: { action: 'plan.review' },
      schema: {
        tags: ['planning'],
        summary: 'Accept, modify or reject a suggested item of a draft version (clinicians; a reason is required to modify or reject)',
        params: PlanItemParams,
        body: ItemDecisionBody,
        response: { 200: PlanView, ...problems(400, 401, 403, 404, 409, 410, 422) },
      },
    },
    async (request) => request.data.plans.decide(request.params.planId, request.params.version, { ...request.body, itemKey: request.params.itemKey }),
  );

  app.delete(
    '/api/plans/:planId/versions/:version/items/:itemKey/decision',
    {
      config: { action: 'plan.review' },
      schema: {
        tags: ['planning'],
        summary: 'Take back a decision, or remove an item the clinician added, on a draft version',
        params: PlanItemParams,
        response: { 200: PlanView, ...problems(400, 401, 403, 404, 409, 410) },
      },
    },
    async (request) => request.data.plans.undo(request.params.planId, request.params.version, request.params.itemKey),
  );

  app.post(
    '/api/plans/:planId/versions/:version/items',
    {
      config: { action: 'plan.review' },
      schema: {
        tags: ['planning'],
        summary: "Add an item of the clinician's own to a draft version (screened like every item)",
        params: PlanVersionParams,
        body: AddedItemBody,
        response: { 200: PlanView, ...problems(400, 401, 403, 404, 409, 410, 422) },
      },
    },
    async (request) => request.data.plans.addItem(request.params.planId, request.params.version, request.body),
  );

  app.post(
    '/api/plans/:planId/versions/:version/sign',
    {
      config: { action: 'clinical.sign' },
      schema: {
        tags: ['planning'],
        summary: 'Sign a draft version (clinicians with a registration number, once every suggested item has a decision); a signed version never changes',
        params: PlanVersionParams,
        response: { 200: PlanView, ...problems(400, 401, 403, 404, 409, 410, 422) },
      },
    },
    async (request) => request.data.plans.sign(request.params.planId, request.params.version),
  );

  app.post(
    '/api/plans/:planId/versions',
    {
      config: { action: 'plan.review' },
      schema: {
        tags: ['planning'],
        summary: 'Start a new draft version from the signed latest one, to change the plan',
        params: PlanParams,
        response: { 201: PlanView, ...problems(400, 401, 403, 404, 409, 410) },
      },
    },
    async (request, reply) => reply.status(201).send(await request.data.plans.newVersion(request.params.planId)),
  );

  app.get(
    '/api/plans/:planId/versions/:version/summary.pdf',
    {
      config: { action: 'plan.read' },
      schema: {
        tags: ['planning'],
        summary: "The patient's plan summary as PDF, with the projection disclaimer on every page that carries an image",
        params: PlanVersionParams,
        produces: ['application/pdf'],
        response: { ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { bytes, filename } = await request.data.planSummaries.pdf(request.params.planId, request.params.version);
      return reply.type('application/pdf').header('Content-Disposition', `attachment; filename="${filename}"`).header('Cache-Control', 'no-store').send(bytes);
    },
  );

  app.get(
    '/api/patients/:patientId/treatments',
    {
      config: { action: 'treatment.read' },
      schema: {
        tags: ['planning'],
        summary: "The patient's treatments performed, newest first, with deviations from the plan",
        params: PatientParams,
        response: { 200: TreatmentRecordList, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => ({ items: await request.data.treatments.list(request.params.patientId) }),
  );

  app.post(
    '/api/patients/:patientId/treatments',
    {
      config: { action: 'treatment.record' },
      schema: {
        tags: ['planning'],
        summary: 'Record a treatment performed: product, lot and expiry, amount per zone and side, injector, notes (needs treatment consent)',
        params: PatientParams,
        body: NewTreatmentRecord,
        response: { 201: TreatmentRecord, ...problems(400, 401, 403, 404, 409, 410) },
      },
    },
    async (request, reply) => reply.status(201).send(await request.data.treatments.record(request.params.patientId, request.body)),
  );

  app.get(
    '/api/stats/ai-governance',
    {
      config: { action: 'governance.read' },
      schema: {
        tags: ['stats'],
        summary: 'How clinicians weighed AI suggestions, and the five governance questions answered from live data',
        response: { 200: GovernanceReport, ...problems(401, 403) },
      },
    },
    async (request) => request.data.governance.report(),
  );
};
