// The wording lives on the floor (src/zod-field-errors.ts) so that configuration errors share it.
export { zodFieldErrors, zodProblem } from './zod-field-errors.js';
