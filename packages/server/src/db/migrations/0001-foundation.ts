import { sql, type Kysely } from 'kysely';

/**
 * Organisations, people, patients, consents, encrypted files and the audit trail.
 * Every clinical table carries organisation_id; the data layer always filters on it.
 */
const statements = [
  sql`CREATE TABLE organisation (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  sql`CREATE TABLE location (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    name text NOT NULL,
    address text,
    timezone text NOT NULL DEFAULT 'UTC',
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  sql`CREATE INDEX location_org ON location (organisation_id)`,
  sql`CREATE TABLE app_user (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    email text NOT NULL,
    display_name text NOT NULL,
    role text NOT NULL CHECK (role IN ('owner','admin','clinician','staff','analyst')),
    registration_number text,
    password_hash text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (role <> 'clinician' OR coalesce(registration_number, '') <> '')
  )`,
  sql`CREATE UNIQUE INDEX app_user_email ON app_user (lower(email))`,
  sql`CREATE INDEX app_user_org ON app_user (organisation_id)`,
  sql`CREATE TABLE user_session (
    id uuid PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    user_id uuid NOT NULL REFERENCES app_user(id),
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    csrf_token text NOT NULL,
    source_ip text,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
  )`,
  sql`CREATE INDEX user_session_user ON user_session (user_id)`,
  sql`CREATE TABLE patient (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    location_id uuid REFERENCES location(id),
    given_name text NOT NULL,
    family_name text NOT NULL,
    preferred_name text,
    date_of_birth date,
    sex text NOT NULL,
    email text,
    phone text,
    address text,
    acquisition_channel text NOT NULL,
    medical_history jsonb NOT NULL,
    clinical_notes text NOT NULL DEFAULT '',
    search_text text NOT NULL,
    archived_at timestamptz,
    erased_at timestamptz,
    created_by uuid NOT NULL REFERENCES app_user(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  sql`CREATE INDEX patient_org_name ON patient (organisation_id, lower(family_name), lower(given_name))`,
  sql`CREATE INDEX patient_org_dob ON patient (organisation_id, date_of_birth)`,
  sql`CREATE INDEX patient_org_created ON patient (organisation_id, created_at)`,
  sql`CREATE TABLE consent_template (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    type text NOT NULL,
    version integer NOT NULL,
    title text NOT NULL,
    body text NOT NULL,
    valid_for_months integer,
    created_by uuid REFERENCES app_user(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organisation_id, type, version)
  )`,
  sql`CREATE TABLE patient_key (
    patient_id uuid PRIMARY KEY REFERENCES patient(id),
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    wrapped_key bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
  )`,
  sql`CREATE TABLE patient_file (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    patient_id uuid NOT NULL REFERENCES patient(id),
    kind text NOT NULL,
    content_type text NOT NULL,
    byte_size integer NOT NULL,
    sha256 text NOT NULL,
    storage_key text NOT NULL,
    created_by uuid NOT NULL REFERENCES app_user(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    shredded_at timestamptz
  )`,
  sql`CREATE INDEX patient_file_patient ON patient_file (organisation_id, patient_id)`,
  sql`CREATE TABLE consent (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    patient_id uuid NOT NULL REFERENCES patient(id),
    template_id uuid NOT NULL REFERENCES consent_template(id),
    type text NOT NULL,
    template_version integer NOT NULL,
    signed_name text NOT NULL,
    signature_file_id uuid REFERENCES patient_file(id),
    signed_at timestamptz NOT NULL,
    recorded_by uuid NOT NULL REFERENCES app_user(id),
    withdrawn_at timestamptz,
    withdrawn_by uuid REFERENCES app_user(id),
    withdrawal_reason text
  )`,
  sql`CREATE INDEX consent_patient ON consent (organisation_id, patient_id)`,
  // One hash chain per organisation ('system' for events with none, e.g. a failed login for an unknown email).
  sql`CREATE TABLE audit_event (
    chain text NOT NULL,
    seq bigint NOT NULL,
    recorded_at text NOT NULL,
    organisation_id uuid,
    actor_user_id uuid,
    actor_role text,
    action text NOT NULL CHECK (action IN ('C','R','U','D','E')),
    event text NOT NULL,
    entity_type text,
    entity_id text,
    patient_id uuid,
    outcome text NOT NULL CHECK (outcome IN ('success','denied','failure')),
    source_ip text,
    detail jsonb NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL,
    PRIMARY KEY (chain, seq)
  )`,
  sql`CREATE INDEX audit_event_patient ON audit_event (chain, patient_id, seq DESC)`,
  // The audit trail is append-only: the database itself refuses to change or remove entries.
  sql`CREATE FUNCTION audit_event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`,
  sql`CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only()`,
  sql`CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement per query: PGlite's extended protocol refuses several in one.
  for (const statement of statements) await statement.execute(db);
}
export async function down(): Promise<void> {
  throw new Error('The foundation migration cannot be undone: it holds the audit trail.');
}
