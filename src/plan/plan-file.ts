import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ReplicoopError } from '../errors.js';
import { schemaValidator } from '../schema-validator.js';
import { canonicalJson } from '../hash.js';
import { snapshotFingerprint } from '../snapshot/fingerprint.js';
import { planChecksum } from './build-plan.js';
import { PLAN_FORMAT_VERSION, type Plan } from './plan-types.js';

/** Sorted keys, two-space indentation, trailing newline: a plan diffs cleanly in git. */
export function serializePlan(plan: Plan): string {
  return `${JSON.stringify(JSON.parse(canonicalJson(plan)), null, 2)}\n`;
}

export function schemaProblems(value: unknown, display: string): string[] {
  const validate = schemaValidator('plan');
  if (validate(value)) return [];
  return (validate.errors ?? []).slice(0, 10).map((e) => `${display}: ${e.instancePath || '/'}: ${e.message ?? 'is invalid'}`);
}

/** Validates against schemas/plan.schema.json and writes atomically (a crash never leaves half a plan). */
export function writePlanFile(path: string, plan: Plan): void {
  const problems = schemaProblems(JSON.parse(serializePlan(plan)), path);
  if (problems.length > 0)
    throw new ReplicoopError('plan_invalid', `internal error: the plan does not match its schema\n${problems.join('\n')}`);
  const absolute = resolve(path);
  mkdirSync(dirname(absolute), { recursive: true });
  const temporary = `${absolute}.${process.pid}.tmp`;
  writeFileSync(temporary, serializePlan(plan));
  renameSync(temporary, absolute);
}

/**
 * Reads a plan and proves it is the one `plan` wrote: schema, format version, checksum over
 * everything apply executes, and the fingerprints of the embedded snapshots.
 */
export function readPlanFile(path: string, display: string = path): Plan {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ReplicoopError(
      'plan_not_found',
      `${display}: ${code === 'ENOENT' ? 'file not found (run replicoop plan first)' : `cannot read: ${(error as Error).message}`}`,
      { cause: error },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ReplicoopError('plan_tampered', `${display} is not valid JSON (truncated or edited?); run replicoop plan again`);
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    'formatVersion' in value &&
    (value as { formatVersion: unknown }).formatVersion !== PLAN_FORMAT_VERSION
  ) {
    throw new ReplicoopError(
      'plan_version',
      `${display}: plan format ${String((value as { formatVersion: unknown }).formatVersion)} is not supported by this replicoop (expects ${PLAN_FORMAT_VERSION}); run replicoop plan again`,
    );
  }
  const problems = schemaProblems(value, display);
  if (problems.length > 0) {
    throw new ReplicoopError(
      'plan_tampered',
      `${display} was modified after it was created (it no longer matches the plan schema)\n${problems.join('\n')}`,
    );
  }
  const plan = value as Plan;
  if (planChecksum(plan) !== plan.checksum) {
    throw new ReplicoopError('plan_tampered', `${display} was modified after it was created (checksum mismatch); run replicoop plan again`);
  }
  if (
    snapshotFingerprint(plan.snapshots.production) !== plan.fingerprints.production ||
    snapshotFingerprint(plan.snapshots.sandbox) !== plan.fingerprints.sandbox
  ) {
    throw new ReplicoopError(
      'plan_tampered',
      `${display} was modified after it was created (snapshot fingerprint mismatch); run replicoop plan again`,
    );
  }
  return plan;
}
