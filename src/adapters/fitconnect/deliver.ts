import { fitConnectContainerSchema, type FitConnectContainer } from '../../seal/fitconnect/container.js';
import { type Outcome, type SaveProgress, delivered, failed, retry } from '../types.js';
import { type Api, isOutcome } from './client.js';
import type { FitConnectAdapterConfig } from './config.js';
import { type DestinationDirectory, DestinationUnavailable } from './destination-directory.js';
import type { DestinationInfo } from './destination-info.js';
import { outcomeOf } from './http.js';
import type { FitConnectReason } from './reasons.js';
import { type FitConnectState, readState } from './state.js';

/**
 * One attempt at sending a sealed FIT-Connect submission, resuming where the persisted state left off:
 * check that the destination is active, create the submission (announcing every attachment) and persist
 * its ids at once, upload each attachment JWE not yet uploaded, then submit metadata and data. Each step's
 * progress is saved before the next, so a crash never creates a second submission.
 */
export async function deliverSubmission(input: {
  config: FitConnectAdapterConfig;
  api: Api;
  directory: Pick<DestinationDirectory, 'info' | 'refresh' | 'status'>;
  body: string;
  state: unknown;
  signal: AbortSignal;
  saveProgress: SaveProgress;
  now: () => Date;
}): Promise<Outcome<FitConnectReason>> {
  const { config, api, signal, now } = input;
  let container: FitConnectContainer;
  try {
    container = fitConnectContainerSchema.parse(JSON.parse(input.body));
  } catch {
    return failed('fitconnect-container-invalid');
  }
  let state: FitConnectState = readState(input.state);
  if (state.submitted) return delivered({ state });
  const save = async (next: FitConnectState) => {
    state = next;
    await input.saveProgress(state);
  };

  if (!state.submissionId) {
    // The cached info: a destination set inactive since is refused by the create below (destination-state-invalid).
    // Without a cached info, or with one that says inactive, the destination is asked now: attempts are spaced by
    // the retry schedule already, and a destination made active again is served at the next attempt.
    let info: DestinationInfo;
    try {
      info = input.directory.status().fetchedAt ? await input.directory.info() : await input.directory.refresh();
      if (info.status !== 'active') info = await input.directory.refresh();
    } catch (error) {
      if (error instanceof DestinationUnavailable)
        return retry(error.reason, error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus });
      throw error;
    }
    if (info.status !== 'active') return retry('fitconnect-destination-inactive');
    const service =
      config.apiVersion === 'v1'
        ? { serviceType: container.publicService }
        : { publicService: container.publicService };
    const created = await api('POST', '/submissions', signal, {
      json: {
        destinationId: container.destinationId,
        announcedAttachments: container.attachments.map((a) => a.attachmentId),
        ...service,
      },
    });
    if (isOutcome(created)) return created;
    if (created.status !== 201) return outcomeOf('create', created, now());
    const ids = JSON.parse(created.text) as { submissionId?: unknown; caseId?: unknown };
    if (typeof ids.submissionId !== 'string' || typeof ids.caseId !== 'string')
      return retry('fitconnect-create-unreadable', { httpStatus: created.status });
    await save({ ...state, submissionId: ids.submissionId, caseId: ids.caseId, uploaded: [] });
  }
  const submissionId = state.submissionId ?? '';

  for (const attachment of container.attachments) {
    if (state.uploaded.includes(attachment.attachmentId)) continue;
    const uploaded = await api('PUT', `/submissions/${submissionId}/attachments/${attachment.attachmentId}`, signal, {
      jose: attachment.encrypted,
    });
    if (isOutcome(uploaded)) return uploaded;
    // The service dropped the incomplete submission (expired): start over with a new one.
    if (uploaded.status === 404) return retry('fitconnect-submission-gone', { httpStatus: 404, state: {} });
    if (uploaded.status !== 204 && uploaded.status !== 200) return outcomeOf('attachment', uploaded, now());
    await save({ ...state, uploaded: [...state.uploaded, attachment.attachmentId] });
  }

  const submitted = await api('PUT', `/submissions/${submissionId}`, signal, {
    json: { encryptedMetadata: container.encryptedMetadata, encryptedData: container.encryptedData },
  });
  if (isOutcome(submitted)) return submitted;
  if (submitted.status === 404) return retry('fitconnect-submission-gone', { httpStatus: 404, state: {} });
  // 409: the submission is no longer incomplete — only this delivery knows its id, so an earlier attempt
  // submitted it and the process stopped before that was recorded.
  if (submitted.status === 200 || submitted.status === 204 || submitted.status === 409) {
    return delivered({ state: { ...state, submitted: true }, httpStatus: submitted.status });
  }
  return outcomeOf('submit', submitted, now());
}
