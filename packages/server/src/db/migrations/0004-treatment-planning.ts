import { sql, type Kysely } from 'kysely';

/**
 * Treatment planning (issue 5): the clinic's treatment catalogue, consultations (intake), treatment plans with
 * versions, the clinician's decision on every item, and treatments performed.
 *
 * A signed plan version and its decisions are immutable: triggers refuse UPDATE and DELETE of them, so a
 * change after signing can only be a new version. The one exception is erasure, which blanks the patient's
 * own words in the consultation (that table has no such trigger).
 */
const statements = [
  sql`CREATE TABLE treatment_catalogue (
    organisation_id uuid PRIMARY KEY REFERENCES organisation(id),
    catalogue jsonb NOT NULL,
    version integer NOT NULL,
    updated_by uuid REFERENCES app_user(id),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  sql`CREATE TABLE consultation (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    patient_id uuid NOT NULL REFERENCES patient(id),
    photo_id uuid REFERENCES photo(id),
    intake jsonb NOT NULL,
    infected_zones jsonb NOT NULL DEFAULT '[]',
    created_by uuid NOT NULL REFERENCES app_user(id),
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  sql`CREATE INDEX consultation_patient ON consultation (organisation_id, patient_id, created_at)`,
  sql`CREATE TABLE treatment_plan (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    patient_id uuid NOT NULL REFERENCES patient(id),
    consultation_id uuid NOT NULL REFERENCES consultation(id),
    created_by uuid NOT NULL REFERENCES app_user(id),
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  sql`CREATE INDEX treatment_plan_patient ON treatment_plan (organisation_id, patient_id, created_at)`,
  sql`CREATE TABLE plan_version (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    plan_id uuid NOT NULL REFERENCES treatment_plan(id),
    version integer NOT NULL,
    status text NOT NULL CHECK (status IN ('draft','signed')),
    suggested jsonb NOT NULL,
    rules_version text NOT NULL,
    model_version text NOT NULL,
    catalogue_version integer NOT NULL,
    photo_hashes jsonb NOT NULL,
    analysis_hash text,
    final_items jsonb,
    total_cost double precision,
    signed_by uuid REFERENCES app_user(id),
    signer_registration text,
    signed_at timestamptz,
    created_by uuid NOT NULL REFERENCES app_user(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT plan_version_number UNIQUE (plan_id, version),
    CONSTRAINT plan_version_signature CHECK ((status = 'signed') = (signed_by IS NOT NULL AND signed_at IS NOT NULL AND final_items IS NOT NULL))
  )`,
  sql`CREATE TABLE plan_decision (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    plan_version_id uuid NOT NULL REFERENCES plan_version(id),
    item_key text NOT NULL,
    decision text NOT NULL CHECK (decision IN ('accepted','modified','rejected','added')),
    change jsonb,
    added jsonb,
    reason text,
    decided_by uuid NOT NULL REFERENCES app_user(id),
    decided_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT plan_decision_one_per_item UNIQUE (plan_version_id, item_key),
    CONSTRAINT plan_decision_reason CHECK (decision IN ('accepted') OR (reason IS NOT NULL AND length(trim(reason)) > 0))
  )`,
  sql`CREATE FUNCTION plan_version_signed_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status = 'signed' THEN
        RAISE EXCEPTION 'plan_version % is signed and cannot be changed', OLD.id USING ERRCODE = 'P0001';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$`,
  sql`CREATE TRIGGER plan_version_signed_final BEFORE UPDATE OR DELETE ON plan_version
    FOR EACH ROW EXECUTE FUNCTION plan_version_signed_is_final()`,
  sql`CREATE FUNCTION plan_decision_of_signed_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM plan_version WHERE id = OLD.plan_version_id AND status = 'signed') THEN
        RAISE EXCEPTION 'decisions of signed plan_version % cannot be changed', OLD.plan_version_id USING ERRCODE = 'P0001';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$`,
  sql`CREATE TRIGGER plan_decision_signed_final BEFORE UPDATE OR DELETE ON plan_decision
    FOR EACH ROW EXECUTE FUNCTION plan_decision_of_signed_is_final()`,
  sql`CREATE FUNCTION plan_decision_insert_into_draft() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM plan_version WHERE id = NEW.plan_version_id AND status = 'signed') THEN
        RAISE EXCEPTION 'plan_version % is signed: decisions cannot be added', NEW.plan_version_id USING ERRCODE = 'P0001';
      END IF;
      RETURN NEW;
    END $$`,
  sql`CREATE TRIGGER plan_decision_draft_only BEFORE INSERT ON plan_decision
    FOR EACH ROW EXECUTE FUNCTION plan_decision_insert_into_draft()`,
  sql`CREATE TABLE treatment_record (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    patient_id uuid NOT NULL REFERENCES patient(id),
    plan_version_id uuid REFERENCES plan_version(id),
    stage integer,
    performed_on date NOT NULL,
    injector_id uuid NOT NULL REFERENCES app_user(id),
    items jsonb NOT NULL,
    notes text NOT NULL DEFAULT '',
    created_by uuid NOT NULL REFERENCES app_user(id),
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  sql`CREATE INDEX treatment_record_patient ON treatment_record (organisation_id, patient_id, performed_on)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement per query: PGlite's extended protocol refuses several in one.
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['treatment_record', 'plan_decision', 'plan_version', 'treatment_plan', 'consultation', 'treatment_catalogue']) {
    await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  }
  for (const fn of ['plan_decision_insert_into_draft', 'plan_decision_of_signed_is_final', 'plan_version_signed_is_final']) {
    await sql`DROP FUNCTION ${sql.raw(fn)}()`.execute(db);
  }
}
