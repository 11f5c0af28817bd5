#!/usr/bin/env node
import { runCli } from './run-cli.js';

const code = await runCli(process.argv.slice(2));
// Let pending writes flush; then leave with the command's code even if a handle is still open.
process.exitCode = code;
setTimeout(() => process.exit(code), 50).unref();
