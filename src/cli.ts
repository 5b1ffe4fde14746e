#!/usr/bin/env node
/**
 * The package's command line. `npx resnet-web models …` (in this repository `npm run models -- …`,
 * the same code): see tools/models-command.ts.
 */
import { MODELS_USAGE, modelsCommand } from './tools/models-command.ts';

const USAGE = `usage: resnet-web <command>\ncommands:\n  models   fetch, generate or copy model files, sha256-checked\n${MODELS_USAGE}`;
const [command, ...argv] = process.argv.slice(2);
if (command === '--help' || command === '-h' || command === undefined) {
  console.log(USAGE);
  process.exit(command === undefined ? 2 : 0);
}
if (command !== 'models') {
  console.error(`resnet-web: unknown command "${command}"\n${USAGE}`);
  process.exit(2);
}
process.exitCode = await modelsCommand(argv);
