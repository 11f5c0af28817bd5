/**
 * The pure half of the `plan` use case (run-plan.ts): what the config contributes to a plan, and
 * the plan's input put together from it and from what was read on both sides. Whoever builds a
 * plan from snapshots it read itself (a test helper) goes through here, so that its plan carries
 * the settings `replicoop plan` would give it.
 */
import type { ResolvedConfig } from '../config/types.js';
import type { PlanInput } from './build-plan.js';
import type { PlanSettings } from './plan-types.js';

/** The parts of the config a plan depends on. */
export type PlanConfig = Pick<ResolvedConfig, 'definers' | 'maintain' | 'ignore' | 'unknown' | 'renames'> & {
  readonly copy: Pick<ResolvedConfig['copy'], 'mode'>;
};

/** What the use case read and counted: everything of PlanInput but what the config says. */
export type PlanReadings = Omit<PlanInput, 'settings' | 'copyMode'>;

/**
 * The config's settings as the plan records them. `unknown` and `renames` are left out when
 * empty, so that a plan without them reads (and checksums) as one made before they existed.
 */
export function planSettings(config: Omit<PlanConfig, 'copy'>): PlanSettings {
  return {
    definers: config.definers,
    maintain: config.maintain,
    ignore: config.ignore,
    ...(Object.keys(config.unknown ?? {}).length > 0 ? { unknown: config.unknown } : {}),
    ...(Object.keys(config.renames.tables).length + Object.keys(config.renames.columns).length > 0 ? { renames: config.renames } : {}),
  };
}

export function planInput(config: PlanConfig, read: PlanReadings): PlanInput {
  return { ...read, settings: planSettings(config), copyMode: config.copy.mode };
}
