import type { Validator } from '../apply/run-apply.js';
import type { RetryPolicy } from '../db/session.js';
import { validationJson, validationSummary } from '../report/render-validation.js';
import { runValidate, type ValidateProgress } from '../validate/run-validate.js';
import type { Output } from './output.js';

/**
 * The end-of-apply validation: the same checks as `replicoop validate --plan <plan>`. Warnings do
 * not fail an apply (there is no --strict here); the details land in apply's report as JSON.
 */
export function validatorFor(out: Output, onProgress?: (progress: ValidateProgress) => void, retry?: RetryPolicy): Validator | undefined {
  return async ({ plan, config, proven, signal }) => {
    const result = await runValidate({
      config,
      plan,
      strict: false,
      proven: proven ?? [],
      ...(signal ? { signal } : {}),
      ...(retry ? { retry } : {}),
      onProgress: (p) => {
        out.debug(p.text);
        onProgress?.(p);
      },
    });
    return { passed: result.passed, summary: validationSummary(result), warnings: result.warnings, details: validationJson(result) };
  };
}
