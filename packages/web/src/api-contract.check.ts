/**
 * The web app's types (types.ts) are written by hand, beside the server's response schemas (TypeBox, in
 * server/src/http). Fastify serialises every response through its schema and drops what the schema does not
 * name, so a field the app reads but the schema lacks arrives as undefined. This file fails the type check
 * (`npm run check`) when a type here reads a field, at any depth, that the matching schema does not serve.
 * Only the compiler reads it: it imports types alone, so nothing of the server reaches the bundle.
 */
import type { Static, TSchema } from 'typebox';
import type * as S from '../../server/src/http/schemas.js';
import type * as P from '../../server/src/http/planning-schemas.js';
import type * as W from './types.js';

/** What JSON makes of a served value: dates become strings. */
type Wire<T> = T extends Date ? string : T extends readonly (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;
type Bare<T> = Exclude<T, null | undefined>;
type IsObj<T> = [Bare<T>] extends [never] ? false : [Bare<T>] extends [readonly unknown[]] ? false : [Bare<T>] extends [object] ? true : false;
/** The paths the web type reads that the served type lacks (never: none). */
type Missing<Srv, Web, Path extends string> =
  unknown extends Srv ? never
  : [Bare<Web>] extends [readonly (infer WU)[]] ? ([Bare<Srv>] extends [readonly (infer SU)[]] ? Missing<SU, WU, `${Path}[]`> : `${Path} (not an array)`)
  : IsObj<Web> extends true ? (IsObj<Srv> extends true ? {
      [K in keyof Bare<Web> & string]-?: K extends keyof Bare<Srv> ? Missing<Bare<Srv>[K], Bare<Web>[K], `${Path}.${K}`> : undefined extends Bare<Web>[K] ? never : `${Path}.${K}`;
    }[keyof Bare<Web> & string] : `${Path} (not an object)`)
  : never;
type Reads<X extends TSchema, Web> = Missing<Wire<Static<X>>, Web, ''>;
const none = <T extends never>(): T | undefined => undefined;

none<Reads<typeof S.SessionBody, W.Session>>();
none<Reads<typeof S.Patient, W.Patient>>();
none<Reads<typeof S.PatientSummary, W.PatientSummary>>();
none<Reads<typeof S.ConsentTemplate, W.ConsentTemplate>>();
none<Reads<typeof S.Consent, W.Consent>>();
none<Reads<typeof S.ConsentStatus, W.ConsentStatus>>();
none<Reads<typeof S.PatientFile, W.PatientFile>>();
none<Reads<typeof S.User, W.User>>();
none<Reads<typeof S.Location, W.Location>>();
none<Reads<typeof S.AuditEntry, W.AuditEntry>>();
none<Reads<typeof S.ChainReport, W.AuditVerification>>();
none<Reads<typeof S.Photo, W.Photo>>();
none<Reads<typeof S.PhotoSession, W.PhotoSession>>();
none<Reads<typeof S.ZoneGrade, W.ZoneGrade>>();
none<Reads<typeof S.FacialAnalysis, W.FacialAnalysis>>();
none<Reads<typeof S.GradingAgreement, W.GradingAgreement>>();
none<Reads<typeof P.StoredCatalogue, W.StoredCatalogue>>();
none<Reads<typeof P.PlanView, W.PlanView>>();
none<Reads<typeof P.PlanSummaryList, { items: W.PlanSummary[] }>>();
none<Reads<typeof P.TreatmentRecord, W.TreatmentRecord>>();
none<Reads<typeof P.GovernanceReport, W.GovernanceReport>>();
none<Reads<typeof P.Simulation, W.Simulation>>();
