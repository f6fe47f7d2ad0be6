import { z } from 'zod';

/**
 * A FIT-Connect delivery's progress as the worker persists it: the submission and case the delivery
 * service assigned, which attachments are uploaded, whether it was submitted, and how much of the case's
 * event log has been read. A crash between steps resumes the same submission.
 */
export const fitConnectStateSchema = z.object({
  submissionId: z.uuid().optional(),
  caseId: z.uuid().optional(),
  uploaded: z.array(z.string()).default([]),
  submitted: z.boolean().default(false),
  eventsRead: z.number().int().min(0).default(0),
});

export type FitConnectState = z.infer<typeof fitConnectStateSchema>;

/** The persisted state, or a fresh start when there is none (or it is not this adapter's). */
export function readState(state: unknown): FitConnectState {
  const parsed = fitConnectStateSchema.safeParse(state ?? {});
  return parsed.success ? parsed.data : fitConnectStateSchema.parse({});
}
