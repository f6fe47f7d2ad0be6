import { issuePointer } from '../lib/zod-issue-pointer.js';
import { fetchedReplySchema, REPLY_FORMAT, type FetchedReply } from '../receiver/reply-format.js';
import { OpenReplyError } from './errors.js';

const PART = 'reply';

/** Step 1: reads a fetched reply from its JSON text (string or bytes) or a parsed value, checking its shape. */
export function parseFetchedReply(input: unknown): FetchedReply {
  let value: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof input === 'string' ? input : Buffer.from(input).toString('utf8'));
    } catch {
      throw new OpenReplyError('malformed-reply', PART, 'not JSON');
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new OpenReplyError('malformed-reply', PART, 'not a JSON object');
  const format = (value as { format?: unknown }).format;
  if (format !== REPLY_FORMAT)
    throw new OpenReplyError(
      'unsupported-format',
      PART,
      `format must be "${REPLY_FORMAT}", found ${JSON.stringify(format)}`,
    );
  const parsed = fetchedReplySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OpenReplyError(
      'malformed-reply',
      PART,
      `${(issue && issuePointer(issue.path)) || '/'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
