// `npm test`: builds the web app (browser tests drive the real bundle), runs every Vitest suite, and
// ends with the plain `N passed, N failed` line CI reads. Extra arguments go to Vitest.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const run = (command, args, env = process.env) => spawnSync(command, args, { stdio: 'inherit', env }).status ?? 1;

const built = run('npm', ['run', 'build', '-w', '@contour/web', '--silent']);
if (built !== 0) {
  console.error('The web app did not build; browser tests cannot run.');
  process.exit(built);
}

const results = '.vitest-results.json';
rmSync(results, { force: true });
const status = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)]);

if (existsSync(results)) {
  const summary = JSON.parse(readFileSync(results, 'utf8'));
  const skipped = summary.numPendingTests + summary.numTodoTests;
  const database = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
  console.log(`\nDatabase: ${database}`);
  console.log(`${summary.numPassedTests} passed, ${summary.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
}
process.exit(status);
