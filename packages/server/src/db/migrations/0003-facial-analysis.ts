import { sql, type Kysely } from 'kysely';

/**
 * Facial analysis (issue 4): a frontal photo's facial analysis (scale, measurements, what could not be measured,
 * zone findings), stored on the photo by the analysis job; and clinicians' 0–4 grades of its zones, one per
 * clinician per zone and side per photo (a re-grade replaces it).
 */
const statements = [
  sql`ALTER TABLE photo ADD COLUMN facial_analysis jsonb`,
  sql`CREATE TABLE zone_grade (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    photo_id uuid NOT NULL REFERENCES photo(id),
    zone_id text NOT NULL,
    side text NOT NULL CHECK (side IN ('right','left','centre')),
    grade integer NOT NULL CHECK (grade BETWEEN 0 AND 4),
    modality text NOT NULL CHECK (modality IN ('live','photo')),
    scale text NOT NULL,
    graded_by uuid NOT NULL REFERENCES app_user(id),
    graded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT zone_grade_one_per_grader UNIQUE (photo_id, zone_id, side, graded_by)
  )`,
  sql`CREATE INDEX zone_grade_organisation ON zone_grade (organisation_id, zone_id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement per query: PGlite's extended protocol refuses several in one.
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE zone_grade`.execute(db);
  await sql`ALTER TABLE photo DROP COLUMN facial_analysis`.execute(db);
}
