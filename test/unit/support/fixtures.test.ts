import { describe, expect, it } from 'vitest';
import { fixturesDir, missingFixturesError } from '../../support/fixtures.js';

describe('test fixtures in CI', () => {
  it('makes missing fixtures a failure when CI=true, a skip elsewhere, and nothing when they are there', () => {
    expect(missingFixturesError(false, { CI: 'true' })).toBe(
      `CI=true: fixtures not found at ${fixturesDir} (set REPLICOOP_FIXTURES to the shared fixtures folder); in CI the fixture tests must run, not skip`,
    );
    expect(missingFixturesError(false, { CI: '1' })).not.toBeNull();
    expect(missingFixturesError(false, {})).toBeNull();
    expect(missingFixturesError(false, { CI: 'false' })).toBeNull();
    expect(missingFixturesError(true, { CI: 'true' })).toBeNull();
  });
});
