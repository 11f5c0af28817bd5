import type { MaskCheck } from '../introspect/check-maintain.js';

/** Plan-time mask validation; wired to the copy engine's rules once they land. */
export const maskProblemFor: MaskCheck | null = null;
