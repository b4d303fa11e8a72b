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

/** Quadratic-weighted Cohen's kappa between the AI estimate and clinicians' grades; null when n < 2 or no variance. */
export interface GradingAgreement {
  overall: { kappa: number | null; n: number };
  zones: { zoneId: ZoneId; kappa: number | null; n: number }[];
}
