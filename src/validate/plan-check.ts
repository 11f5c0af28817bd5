/**
 * Check 4, with --plan: does the sandbox hold what was reviewed (the production snapshot embedded
 * in the plan), and has production moved on since? Pure: both snapshots are read by the caller.
 */
import type { ResolvedConfig } from '../config/types.js';
import type { Plan } from '../plan/plan-types.js';
import { canonicalJson } from '../hash.js';
import { snapshotFingerprint } from '../snapshot/fingerprint.js';
import type { Snapshot } from '../snapshot/model.js';
import { compareStructure } from './structure-check.js';
import type { PlanCheckResult } from './validation-result.js';

export function checkPlan(plan: Plan, sandboxNow: Snapshot, productionNow: Snapshot, config: ResolvedConfig): PlanCheckResult {
  const definers = plan.settings.definers;
  const reviewed = compareStructure(sandboxNow, plan.snapshots.production, { definers, labels: ['sandbox', 'reviewed'] });
  const drifted = snapshotFingerprint(productionNow) !== plan.fingerprints.production;
  const drift = drifted
    ? compareStructure(plan.snapshots.production, productionNow, { definers, labels: ['reviewed', 'production'] })
    : null;
  const notes: string[] = [];
  if (canonicalJson([...plan.settings.ignore].sort()) !== canonicalJson([...config.ignore].sort())) {
    notes.push(
      `the plan was made with ignore patterns [${plan.settings.ignore.join(', ')}], the config now has [${config.ignore.join(', ')}]: objects covered by only one of them show up as differences`,
    );
  }
  if (canonicalJson(plan.settings.maintain) !== canonicalJson(config.maintain)) {
    notes.push("the config's maintain list differs from the plan's: the data checks follow the config");
  }
  if (drifted && drift !== null && drift.differences.length === 0) {
    notes.push(
      'the production schema fingerprint changed, but no object differs in the model (an unreadable object or the database default character set changed)',
    );
  }
  return {
    checksum: plan.checksum,
    createdAt: plan.createdAt,
    sandboxMatchesReviewed: reviewed.differences.length === 0,
    reviewedDifferences: reviewed.differences,
    productionDrifted: drifted,
    driftDifferences: drift?.differences ?? [],
    notes,
  };
}
