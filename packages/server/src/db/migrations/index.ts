import type { Migration } from 'kysely/migration';
import * as foundation from './0001-foundation.js';
import * as photography from './0002-photography.js';
import * as facialAnalysis from './0003-facial-analysis.js';
import * as treatmentPlanning from './0004-treatment-planning.js';
import * as simulation from './0005-simulation.js';
import * as planAnalysisMethod from './0006-plan-analysis-method.js';

/** Every migration, in order. Imported statically so the same list runs from source, dist and tests. */
export const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-photography': photography,
  '0003-facial-analysis': facialAnalysis,
  '0004-treatment-planning': treatmentPlanning,
  '0005-simulation': simulation,
  '0006-plan-analysis-method': planAnalysisMethod,
};
