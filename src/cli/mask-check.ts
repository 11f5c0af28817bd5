import { maskProblem } from '../copy/mask-value.js';
import type { MaskCheck } from '../introspect/check-maintain.js';

/** Plan-time mask validation with the copy engine's own rules (what fits which column). */
export const maskProblemFor: MaskCheck = (rule, column) => maskProblem(rule, column);
