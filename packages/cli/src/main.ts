#!/usr/bin/env node
import { analyze, parseAnalyzeArgs } from './analyze.js';
import { auditVerify, consoleOutput, migrate, serve, USAGE } from './commands.js';
import { parsePlanArgs, plan } from './plan.js';
import { demo, parseDemoArgs } from './demo.js';
import { parseSimulateArgs, simulateCommand } from './simulate.js';

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(process.env, consoleOutput);
    case 'migrate':
      return migrate(process.env, consoleOutput);
    case 'analyze': {
      const options = parseAnalyzeArgs(rest);
      if (typeof options === 'string') {
        consoleOutput.err(`contour analyze: ${options}`);
        return 2;
      }
      return analyze(options, consoleOutput);
    }
    case 'demo': {
      const options = parseDemoArgs(rest);
      if (typeof options === 'string') {
        consoleOutput.err(`contour demo: ${options}`);
        return 2;
      }
      return demo(process.env, consoleOutput, options);
    }
    case 'plan': {
      const options = parsePlanArgs(rest);
      if (typeof options === 'string') {
        consoleOutput.err(`contour plan: ${options}`);
        return 2;
      }
      return plan(options, consoleOutput);
    }
    case 'simulate': {
      const options = parseSimulateArgs(rest);
      if (typeof options === 'string') {
        consoleOutput.err(`contour simulate: ${options}`);
        return 2;
      }
      return simulateCommand(options, consoleOutput);
    }
    case 'audit':
      if (rest[0] === 'verify') return auditVerify(process.env, consoleOutput, rest.includes('--json'));
      break;
    case 'help':
    case '--help':
    case '-h':
      consoleOutput.out(USAGE);
      return 0;
  }
  consoleOutput.err(`Unknown command: ${argv.join(' ')}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`contour: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
