import { DEFAULT_ATTACHMENT_PURPOSE, type AttachmentPurpose } from '../../receiver/format.js';
import type { AttachmentSelection } from './types.js';

/**
 * The attachments a message carries under its mapping's selection, in the submission's order. One function
 * for intake and for sealing again from the escrow copy, so that a replay carries what intake carried.
 */
export function selectAttachments<A extends { purpose?: AttachmentPurpose | undefined }>(
  selection: AttachmentSelection,
  attachments: readonly A[],
): A[] {
  if (selection === 'all') return [...attachments];
  if (selection === 'none') return [];
  return attachments.filter((a) => selection.purposes.includes(a.purpose ?? DEFAULT_ATTACHMENT_PURPOSE));
}
