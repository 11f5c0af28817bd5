import type { Validator } from '../apply/run-apply.js';
import type { Output } from './output.js';

/** The end-of-apply validation; wired to validate/ once it lands. */
export function validatorFor(_out: Output): Validator | undefined {
  return undefined;
}
