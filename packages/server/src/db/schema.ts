import type { ColumnType, Generated } from 'kysely';

/** Timestamps come back as Date and go in as Date or ISO text. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;
/** Filled in by the database default when not given. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null, string | null>;

export interface OrganisationTable {
  id: string;
  name: string;
  created_at: DefaultTimestamp;
}

export interface LocationTable {
  id: string;
  organisation_id: string;
  name: string;
  address: string | null;
  timezone: string;
  created_at: DefaultTimestamp;
}

export interface UserTable {
  id: string;
  organisation_id: string;
  email: string;
  display_name: string;
  role: string;
  registration_number: string | null;
  password_hash: string;
  active: Generated<boolean>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface SessionTable {
  id: string;
  token_hash: string;
  user_id: string;
  organisation_id: string;
  csrf_token: string;
  source_ip: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
}

export interface PatientTable {
  id: string;
  organisation_id: string;
  location_id: string | null;
  given_name: string;
  family_name: string;
  preferred_name: string | null;
  date_of_birth: ColumnType<string | null, string | null, string | null>;
  sex: string;
  email: string | null;
  phone: string | null;
  address: string | null;
  acquisition_channel: string;
  medical_history: Json<unknown>;
  clinical_notes: string;
  search_text: string;
  archived_at: NullableTimestamp;
  erased_at: NullableTimestamp;
  created_by: string;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface ConsentTemplateTable {
  id: string;
  organisation_id: string;
  type: string;
  version: number;
  title: string;
  body: string;
  valid_for_months: number | null;
  created_by: string | null;
  created_at: DefaultTimestamp;
}

export interface ConsentTable {
  id: string;
  organisation_id: string;
  patient_id: string;
  template_id: string;
  type: string;
  template_version: number;
  signed_name: string;
  signature_file_id: string | null;
  signed_at: Timestamp;
  recorded_by: string;
  withdrawn_at: NullableTimestamp;
  withdrawn_by: string | null;
  withdrawal_reason: string | null;
}

export interface PatientKeyTable {
  patient_id: string;
  organisation_id: string;
  wrapped_key: Buffer | null;
  created_at: DefaultTimestamp;
  destroyed_at: NullableTimestamp;
}

export interface PatientFileTable {
  id: string;
  organisation_id: string;
  patient_id: string;
  kind: string;
  content_type: string;
  byte_size: number;
  sha256: string;
  storage_key: string;
  created_by: string;
  created_at: DefaultTimestamp;
  shredded_at: NullableTimestamp;
}

export interface AuditEventTable {
  chain: string;
  seq: number;
  recorded_at: string;
  organisation_id: string | null;
  actor_user_id: string | null;
  actor_role: string | null;
  action: string;
  event: string;
  entity_type: string | null;
  entity_id: string | null;
  patient_id: string | null;
  outcome: string;
  source_ip: string | null;
  detail: Json<Record<string, unknown>>;
  prev_hash: string;
  hash: string;
}

export interface PhotoProtocolTable {
  organisation_id: string;
  protocol: Json<unknown>;
  updated_by: string;
  updated_at: DefaultTimestamp;
}

export interface PhotoSessionTable {
  id: string;
  organisation_id: string;
  patient_id: string;
  /** ISO date text (YYYY-MM-DD). */
  visit_date: ColumnType<string, string, string>;
  location_id: string | null;
  notes: string;
  created_by: string;
  created_at: DefaultTimestamp;
}

export type PhotoStatus = 'stored' | 'queued' | 'analysing' | 'analysed' | 'failed' | 'not_analysed';

export interface PhotoTable {
  id: string;
  organisation_id: string;
  patient_id: string;
  session_id: string;
  view: string;
  status: PhotoStatus;
  status_reason: string | null;
  file_id: string;
  thumbnail_file_id: string;
  width: number;
  height: number;
  content_type: string;
  byte_size: number;
  sha256: string;
  /** Changes with every analysis request; a job whose token is stale does nothing. */
  analysis_token: string | null;
  quality: NullableJson<unknown>;
  quality_passed: boolean | null;
  pose: NullableJson<unknown>;
  measurements: NullableJson<unknown>;
  landmarks: NullableJson<unknown>;
  consistency: NullableJson<unknown>;
  /** A frontal photo's facial analysis (scale, measurements, notMeasurable, zones); null for other views. */
  facial_analysis: ColumnType<unknown, string | null | undefined, string | null>;
  analysed_at: NullableTimestamp;
  superseded_at: NullableTimestamp;
  superseded_by: string | null;
  created_by: string;
  created_at: DefaultTimestamp;
}

export type GradeModality = 'live' | 'photo';

export interface ZoneGradeTable {
  id: string;
  organisation_id: string;
  photo_id: string;
  zone_id: string;
  side: string;
  grade: number;
  modality: GradeModality;
  scale: string;
  graded_by: string;
  graded_at: DefaultTimestamp;
}

export interface TreatmentCatalogueTable {
  organisation_id: string;
  catalogue: Json<unknown>;
  version: number;
  updated_by: string | null;
  updated_at: DefaultTimestamp;
}

export interface ConsultationTable {
  id: string;
  organisation_id: string;
  patient_id: string;
  photo_id: string | null;
  intake: Json<unknown>;
  infected_zones: ColumnType<string[], string | undefined, string>;
  created_by: string;
  created_at: DefaultTimestamp;
}

export interface TreatmentPlanTable {
  id: string;
  organisation_id: string;
  patient_id: string;
  consultation_id: string;
  created_by: string;
  created_at: DefaultTimestamp;
}

export type PlanVersionStatus = 'draft' | 'signed';

export interface PlanVersionTable {
  id: string;
  organisation_id: string;
  plan_id: string;
  version: number;
  status: PlanVersionStatus;
  suggested: Json<unknown>;
  rules_version: string;
  model_version: string;
  catalogue_version: number;
  photo_hashes: Json<unknown>;
  analysis_hash: string | null;
  /** The facial analysis method the findings were made with; null without an analysis or when not recorded. */
  analysis_method: string | null;
  final_items: NullableJson<unknown>;
  total_cost: number | null;
  signed_by: string | null;
  signer_registration: string | null;
  signed_at: NullableTimestamp;
  created_by: string;
  created_at: DefaultTimestamp;
}

export interface PlanDecisionTable {
  id: string;
  organisation_id: string;
  plan_version_id: string;
  item_key: string;
  decision: string;
  change: NullableJson<unknown>;
  added: NullableJson<unknown>;
  reason: string | null;
  decided_by: string;
  decided_at: DefaultTimestamp;
}

export interface TreatmentRecordTable {
  id: string;
  organisation_id: string;
  patient_id: string;
  plan_version_id: string | null;
  stage: number | null;
  /** ISO date text (YYYY-MM-DD). */
  performed_on: ColumnType<string, string, string>;
  injector_id: string;
  items: Json<unknown>;
  notes: string;
  created_by: string;
  created_at: DefaultTimestamp;
}

export interface SimulationTable {
  id: string;
  organisation_id: string;
  patient_id: string;
  photo_id: string;
  plan_version_id: string;
  variant: string;
  intensity: number;
  item_keys: Json<unknown>;
  parameters: Json<unknown>;
  changes: Json<unknown>;
  label: string;
  source_sha256: string;
  /** Null once the patient record is erased (the file is shredded). */
  file_id: string | null;
  width: number;
  height: number;
  created_by: string;
  created_at: DefaultTimestamp;
}

export interface Database {
  organisation: OrganisationTable;
  location: LocationTable;
  app_user: UserTable;
  user_session: SessionTable;
  patient: PatientTable;
  consent_template: ConsentTemplateTable;
  consent: ConsentTable;
  patient_key: PatientKeyTable;
  patient_file: PatientFileTable;
  audit_event: AuditEventTable;
  photo_protocol: PhotoProtocolTable;
  photo_session: PhotoSessionTable;
  photo: PhotoTable;
  zone_grade: ZoneGradeTable;
  treatment_catalogue: TreatmentCatalogueTable;
  consultation: ConsultationTable;
  treatment_plan: TreatmentPlanTable;
  plan_version: PlanVersionTable;
  plan_decision: PlanDecisionTable;
  treatment_record: TreatmentRecordTable;
  simulation: SimulationTable;
}
