import { z } from 'zod';
import { fitConnectStateSchema } from './state.js';

/**
 * The ids the FIT-Connect delivery service assigned to a delivery: what an operator quotes to FITKO's
 * support, and what the recipient sees. Technical ids, no personal data, never a token.
 */
export const fitConnectReferencesSchema = z
  .object({
    submissionId: z.uuid().meta({ description: 'The submission id the FIT-Connect delivery service assigned' }),
    caseId: z.uuid().meta({ description: 'The case id (Vorgang) the FIT-Connect delivery service assigned' }),
  })
  .meta({
    description:
      'Ids at FIT-Connect, present once the delivery service created the submission (also while it is still being uploaded)',
  });

export type FitConnectReferences = z.output<typeof fitConnectReferencesSchema>;

/**
 * The ids in a delivery's persisted state, or nothing before the delivery service assigned them. Unlike the
 * adapter's own `readState`, nothing is made up for a state that is not FIT-Connect's: no ids, no entry.
 */
export function fitConnectReferences(state: unknown): { fitConnect: FitConnectReferences } | undefined {
  const parsed = fitConnectStateSchema.safeParse(state);
  if (!parsed.success) return undefined;
  const { submissionId, caseId } = parsed.data;
  return submissionId && caseId ? { fitConnect: { submissionId, caseId } } : undefined;
}
