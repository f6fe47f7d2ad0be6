import type { ServiceFile } from '../config/service-schema.js';
import { AmtsboteError, type FieldError } from '../lib/errors.js';
import { DEFAULT_ATTACHMENT_PURPOSE } from '../receiver/format.js';
import type { EnvelopeAttachment } from './envelope-schema.js';

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes base64 `content` of a JSON submission strictly: no whitespace, no URL alphabet mixed in. Content
 * the body reader already decoded (long strict base64, see http/json-body.ts) is a placeholder in `decoded`.
 */
export function decodeJsonAttachments(
  attachments: EnvelopeAttachment[],
  decoded?: ReadonlyMap<string, Buffer>,
): Map<string, Buffer> {
  const contents = new Map<string, Buffer>();
  const errors: FieldError[] = [];
  attachments.forEach((a, i) => {
    const bytes = a.content === undefined ? undefined : decoded?.get(a.content);
    if (bytes) {
      contents.set(a.id, bytes);
    } else if (a.content === undefined) {
      errors.push({ pointer: `/attachments/${i}/content`, detail: 'is required in a JSON submission (base64)' });
    } else if (a.content.length % 4 !== 0 || !base64Pattern.test(a.content)) {
      errors.push({ pointer: `/attachments/${i}/content`, detail: 'is not valid base64' });
    } else {
      contents.set(a.id, Buffer.from(a.content, 'base64'));
    }
  });
  if (errors.length > 0) throw new AmtsboteError('invalid-envelope', 'An attachment has no valid content.', errors);
  return contents;
}

/** Checks attachments against the service: count, unique ids, media types, purposes, sizes, content present. */
export function checkAttachments(
  service: ServiceFile,
  attachments: EnvelopeAttachment[],
  /** Attachment contents by id; only their lengths are read. */
  contents: ReadonlyMap<string, { length: number }>,
  gatewayMaxCount: number,
): void {
  const rules = service.attachments;
  const errors: FieldError[] = [];
  const maxCount = Math.min(rules.maxCount, gatewayMaxCount);
  if (attachments.length > maxCount) {
    errors.push({ pointer: '/attachments', detail: `at most ${maxCount} attachments are allowed for this service` });
  }
  const ids = new Set<string>();
  attachments.forEach((a, i) => {
    if (ids.has(a.id)) errors.push({ pointer: `/attachments/${i}/id`, detail: `duplicate attachment id "${a.id}"` });
    ids.add(a.id);
    if (!rules.mediaTypes.includes(a.mediaType)) {
      errors.push({
        pointer: `/attachments/${i}/mediaType`,
        detail: `must be one of: ${rules.mediaTypes.join(', ') || '(none allowed)'}`,
      });
    }
    if (rules.purposes && !rules.purposes.includes(a.purpose ?? DEFAULT_ATTACHMENT_PURPOSE)) {
      errors.push({
        pointer: `/attachments/${i}/purpose`,
        detail: `${a.purpose === undefined ? `is not given, which means "${DEFAULT_ATTACHMENT_PURPOSE}"; this service` : 'this service'} accepts attachments with the purpose ${rules.purposes.join(', ')} only`,
      });
    }
    const content = contents.get(a.id);
    if (!content || content.length === 0) {
      errors.push({ pointer: `/attachments/${i}`, detail: 'has no content' });
    } else if (content.length > rules.maxBytes) {
      errors.push({
        pointer: `/attachments/${i}`,
        detail: `is ${content.length} bytes; at most ${rules.maxBytes} are allowed`,
      });
    }
  });
  for (const id of contents.keys()) {
    if (!ids.has(id))
      errors.push({
        pointer: '/attachments',
        detail: `a part "${id}" was sent but is not listed in the envelope's attachments`,
      });
  }
  if (errors.length > 0)
    throw new AmtsboteError('invalid-attachment', "An attachment does not meet the service's rules.", errors);
}
