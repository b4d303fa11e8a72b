import { sql, type Kysely } from 'kysely';

/**
 * Each plan version records the analysis method its findings were made with (the photo's facial analysis carries
 * it since 2026-11-30): the analysis hash proves which analysis it was, this says how it measured, so a plan made
 * from an earlier method's figures can be told apart. Versions made before this stay null ("not recorded"): the
 * photo may have been analysed again since, so its method now says nothing about theirs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE plan_version ADD COLUMN analysis_method text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE plan_version DROP COLUMN analysis_method`.execute(db);
}
