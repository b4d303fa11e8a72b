/**
 * The shapes the HTTP API answers with (docs/api-contract.md). Enumerations come from the domain
 * package so the web app and the server cannot disagree about roles, consents or channels.
 */
import type { Action, Role } from '@contour/domain/policy';
import type { ConsentType, Purpose } from '@contour/domain/consent';
import type { AcquisitionChannel, MedicalHistory, Sex } from '@contour/domain/patient';
import type { ConsistencyReport } from '@contour/domain/photo-consistency';
import type { QualityResult, ViewId, ViewSpec } from '@contour/domain/photo-protocol';
import type { Measurement, NotMeasurable, PixelScale, Side, ZoneFinding, ZoneId } from '@contour/domain/face-analysis';
import type {
  AddedItemInput,
  ConsultationIntake,
  DoseUnit,
  FinalPlanItem,
  ItemChange,
  ItemDecision,
  ItemDecisionRecord,
  SuggestedPlan,
  TreatmentCatalogue,
  TreatmentClass,
} from '@contour/domain/treatment-plan';
import type { DecisionShares } from '@contour/domain/governance';
import type { ChangeKind, IntendedChange, SimulationEffect, SimulationVariant, ZoneLimit } from '@contour/domain/dose-effect';

export type { PhotoProtocol, QualityCheck, QualityResult, QualityThresholds, ViewId, ViewSpec } from '@contour/domain/photo-protocol';
/** A frontal photo compared with the patient's first compliant frontal photo (the baseline). */
export type { ConsistencyCheck, ConsistencyReport } from '@contour/domain/photo-consistency';

export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  registrationNumber: string | null;
  organisation: { id: string; name: string };
}

export interface Session {
  user: SessionUser;
  csrfToken: string;
  /** Actions this user may perform; the server enforces them, the UI only hides what is not allowed. */
  permissions: Action[];
}

export interface PatientSummary {
  id: string;
  givenName: string;
  familyName: string;
  preferredName: string | null;
  dateOfBirth: string | null;
  email: string | null;
  phone: string | null;
  archived: boolean;
  erased: boolean;
  createdAt: string;
}

export interface Patient extends PatientSummary {
  sex: Sex;
  address: string | null;
  acquisitionChannel: AcquisitionChannel;
  locationId: string | null;
  medicalHistory: MedicalHistory;
  /** Absent for roles that may not read clinical notes. */
  clinicalNotes?: string;
  archivedAt: string | null;
  erasedAt: string | null;
  updatedAt: string;
}

/** The body of POST /api/patients; PATCH takes any subset, and null clears an optional field. */
export interface PatientInput {
  givenName: string;
  familyName: string;
  preferredName?: string | null;
  dateOfBirth?: string | null;
  sex: Sex;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
  acquisitionChannel: AcquisitionChannel;
  locationId?: string | null;
  medicalHistory?: MedicalHistory;
  clinicalNotes?: string;
}

export interface ConsentTemplate {
  id: string;
  type: ConsentType;
  version: number;
  title: string;
  body: string;
  validForMonths: number | null;
  createdAt: string;
  current: boolean;
}

export interface Consent {
  id: string;
  type: ConsentType;
  templateId: string;
  templateVersion: number;
  title: string;
  signedName: string;
  signedAt: string;
  recordedBy: string;
  withdrawnAt: string | null;
  withdrawalReason: string | null;
  inForce: boolean;
  hasSignature: boolean;
}

export interface ConsentStatus {
  purpose: Purpose;
  allowed: boolean;
  missing: string[];
  reason: string | null;
}

export interface PatientFile {
  id: string;
  kind: string;
  contentType: string;
  byteSize: number;
  sha256: string;
  createdAt: string;
}

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  registrationNumber: string | null;
  active: boolean;
  createdAt: string;
}

export interface Location {
  id: string;
  name: string;
  address: string | null;
  timezone: string;
}

export type AuditOutcome = 'success' | 'denied' | 'failure';

export interface AuditEntry {
  seq: number;
  recordedAt: string;
  actorUserId: string | null;
  actorEmail: string | null;
  actorRole: string | null;
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  event: string;
  entityType: string | null;
  entityId: string | null;
  patientId: string | null;
  outcome: AuditOutcome;
  sourceIp: string | null;
  detail: Record<string, unknown>;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBreak: { seq: number; reason: string } | null;
  /** The chain's last head recorded outside the database (null: none yet; seq null: not a genuine one). */
  checkpoint: { seq: number | null; recordedAt: string | null; held: boolean } | null;
}

export interface StatsOverview {
  patients: { total: number; active: number; archived: number };
  byChannel: { channel: string; count: number }[];
  newByMonth: { month: string; count: number }[];
  consentsInForce: { type: string; count: number }[];
}

export type PhotoStatus = 'stored' | 'queued' | 'analysing' | 'analysed' | 'failed' | 'not_analysed';

export interface Photo {
  id: string;
  sessionId: string;
  view: ViewId;
  status: PhotoStatus;
  statusReason: string | null;
  width: number;
  height: number;
  contentType: string;
  byteSize: number;
  sha256: string;
  createdAt: string;
  /** A later retake of the same view replaced it. */
  superseded: boolean;
  quality: QualityResult | null;
  pose: { yaw: number; pitch: number; roll: number } | null;
  consistency: ConsistencyReport | null;
}

export interface PhotoSessionView {
  view: ViewSpec;
  /** The latest photo of this view, or null when it has not been taken. */
  photo: Photo | null;
  attempts: number;
}

export interface PhotoSession {
  id: string;
  patientId: string;
  /** YYYY-MM-DD. */
  visitDate: string;
  locationId: string | null;
  notes: string;
  createdAt: string;
  createdBy: string;
  views: PhotoSessionView[];
  /** Every required view has a passing photo. */
  complete: boolean;
  consistency: ConsistencyReport | null;
}

export type {
  Measurement,
  NotMeasurable,
  PixelScale,
  PopulationRange,
  Side,
  ZoneFinding,
  ZoneId,
  ZoneIndicators,
} from '@contour/domain/face-analysis';

/** A clinician's 0–4 grade of one zone and side of a photo (one per clinician; re-grading replaces it). */
export interface ZoneGrade {
  zoneId: ZoneId;
  side: Side;
  grade: 0 | 1 | 2 | 3 | 4;
  /** Graded with the patient in the room, or from the photo. */
  modality: 'live' | 'photo';
  scale: string;
  gradedBy: string;
  gradedByName: string;
  gradedAt: string;
}

/** The facial analysis of an analysed frontal photo, in the stored (upright) image's pixels. */
export interface FacialAnalysis {
  photoId: string;
  /** The analysis method the findings were made with (null: stored before methods were recorded). */
  method: string | null;
  /** False when an earlier method made them: analyse the photo again before comparing its figures with newer ones. */
  methodCurrent: boolean;
  width: number;
  height: number;
  /** 478 MediaPipe face-mesh points, [x, y, z] in image pixels. */
  landmarks: [number, number, number][];
  scale: PixelScale | null;
  measurements: Measurement[];
  notMeasurable: NotMeasurable[];
  zones: ZoneFinding[];
  grades: ZoneGrade[];
}

/**
 * Quadratic-weighted Cohen's kappa between the AI estimate and clinicians' grades; null when n < 2 or no variance.
 * Only the current analysis method's estimates are compared; `earlierMethod` grades are left out.
 */
export interface GradingAgreement {
  method: string;
  overall: { kappa: number | null; n: number };
  zones: { zoneId: ZoneId; kappa: number | null; n: number }[];
  earlierMethod: number;
}

/* ---- Treatment planning (issue 5) ---- */

export type {
  AddedItemInput,
  BlockedItem,
  CatalogueProduct,
  ConsultationIntake,
  DoseRange,
  DoseUnit,
  DowntimeTolerance,
  FinalPlanItem,
  ItemChange,
  ItemDecision,
  ItemDecisionRecord,
  LeftOutItem,
  MaintenanceEntry,
  PatientGoal,
  PlanCaution,
  PlanItem,
  PlanStage,
  Subtlety,
  SuggestedPlan,
  TreatmentCatalogue,
  TreatmentClass,
  ZoneDose,
} from '@contour/domain/treatment-plan';

/** The clinic's catalogue as stored: each save is a new version, which plan versions record. */
export interface StoredCatalogue {
  catalogue: TreatmentCatalogue;
  version: number;
  updatedAt: string | null;
  /** True while the clinic still uses the reference defaults unchanged. */
  isDefault: boolean;
}

export type PlanStatus = 'draft' | 'signed';

/** One stored decision on an item: who decided what, when and why. */
export interface DecisionEntry {
  itemKey: string;
  decision: ItemDecision;
  change: ItemChange | null;
  added: AddedItemInput | null;
  reason: string | null;
  decidedBy: string;
  decidedByName: string;
  decidedAt: string;
}

/** Something that stops a version being signed, e.g. an item without a decision. */
export interface ReviewProblem {
  code: string;
  itemKey?: string;
  message: string;
}

/** What the suggestion was made from: planner rules, face model, catalogue, the photo and analysis hashes, and how the analysis measured. */
export interface PlanProvenance {
  rulesVersion: string;
  modelVersion: string;
  catalogueVersion: number;
  photoHashes: { photoId: string; sha256: string }[];
  analysisHash: string | null;
  /** Null without an analysis, or on versions made before it was recorded. */
  analysisMethod: string | null;
}

export interface PlanVersionView {
  version: number;
  status: PlanStatus;
  /** The planner's suggestion as made; never changed. */
  suggested: SuggestedPlan;
  decisions: DecisionEntry[];
  /** The decision record: proposed snapshot, decision and final item per item. */
  records: ItemDecisionRecord[];
  /** The plan after the decisions (as signed, for a signed version). */
  final: FinalPlanItem[];
  totalCost: number;
  /** What stops signing; empty when the version can be signed. */
  problems: ReviewProblem[];
  provenance: PlanProvenance;
  signedBy: string | null;
  signedByName: string | null;
  signerRegistration: string | null;
  signedAt: string | null;
  createdAt: string;
  createdByName: string;
}

export interface Consultation {
  id: string;
  patientId: string;
  photoId: string | null;
  intake: ConsultationIntake;
  infectedZones: ZoneId[];
  createdAt: string;
}

export interface PlanView {
  id: string;
  patientId: string;
  consultation: Consultation;
  versions: { version: number; status: PlanStatus; signedAt: string | null; signedByName: string | null; createdAt: string }[];
  /** The version asked for (the latest unless ?version=). */
  current: PlanVersionView;
}

export interface PlanSummary {
  id: string;
  createdAt: string;
  latestVersion: number;
  status: PlanStatus;
  signedAt: string | null;
  items: number;
  totalCost: number | null;
  currency: string;
}

export interface PerformedTreatmentItem {
  planItemKey: string | null;
  productId: string;
  productLabel: string;
  treatmentClass: TreatmentClass;
  zoneId: ZoneId;
  side: Side;
  amount: number;
  unit: DoseUnit;
  lotNumber: string;
  expiryDate: string;
}

export type DeviationKind = 'not_done' | 'not_planned' | 'different_amount' | 'different_product';

/** What was done at a visit against what the signed plan said for it. */
export interface Deviation {
  kind: DeviationKind;
  zoneId: ZoneId;
  side: Side;
  planned: { productId: string; amount: number; unit: DoseUnit } | null;
  done: { productId: string; amount: number; unit: DoseUnit } | null;
  text: string;
}

export interface TreatmentRecord {
  id: string;
  patientId: string;
  planId: string | null;
  planVersion: number | null;
  stage: number | null;
  performedOn: string;
  injectorId: string;
  injectorName: string;
  items: PerformedTreatmentItem[];
  notes: string;
  deviations: Deviation[];
  createdAt: string;
}

export interface GovernanceQuestion {
  id: string;
  question: string;
  answer: string;
  status: 'ok' | 'attention';
  figures: Record<string, number>;
}

export interface GovernanceReport {
  generatedAt: string;
  decisions: DecisionShares;
  questions: GovernanceQuestion[];
}

/** Shares of accepted, modified and rejected suggestions (and added items) overall, by zone, treatment and clinician. */
export type { DecisionShares, ReasonCount, ShareCounts } from '@contour/domain/governance';

/* ---- Outcome simulation (issue 6) ---- */

export type { ChangeKind, IntendedChange, SimulationEffect, SimulationVariant, ZoneLimit } from '@contour/domain/dose-effect';

/** What the renderer drew for one zone and kind of change: the intended amount, and the measurement before and after. */
export interface RenderedEffect {
  zoneId: ZoneId;
  side: Side;
  effects: SimulationEffect[];
  kind: ChangeKind;
  measurementId?: string;
  intended: number;
  before?: number;
  target?: number;
  after?: number;
  strength?: number;
  /** Why less than intended was drawn: the photo is already at the scale's floor, or the edit's full strength was not enough. */
  limitedBy?: 'photo' | 'strength';
  note?: string;
}

/**
 * A plan version (or some of its items) rendered on the patient's frontal photo. The image is the photo with a
 * label band below it, so `height` is more than the photo's own height scaled to `width`.
 */
export interface Simulation {
  id: string;
  patientId: string;
  photoId: string;
  planId: string;
  planVersion: number;
  variant: SimulationVariant;
  intensity: number;
  itemKeys: string[];
  label: string;
  sourceSha256: string;
  width: number;
  height: number;
  parameters: { maxChangePerZone?: Partial<Record<ZoneId, ZoneLimit>> } & Record<string, unknown>;
  changes: IntendedChange[];
  rendered: RenderedEffect[];
  unsupported: { itemKey: string; reason: string }[];
  createdAt: string;
}
