import { issuePointer } from '../../lib/zod-issue-pointer.js';
import { postedReplySchema, REPLY_FORMAT, type PostedReply } from '../../receiver/reply-format.js';
import { replyError } from './errors.js';

/** Reads the body of `POST /v1/replies` (parsed JSON) as an `amtsbote-reply/1` reply, or refuses it precisely. */
export function parsePostedReply(body: unknown): PostedReply {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw replyError('malformed', 'The reply must be a JSON object.', '');
  const format = (body as { format?: unknown }).format;
  if (format !== REPLY_FORMAT)
    throw replyError('malformed', `The reply's format must be "${REPLY_FORMAT}".`, '/format');
  const parsed = postedReplySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const pointer = issue ? issuePointer(issue.path) : '';
    throw replyError(
      'malformed',
      `The reply is malformed at ${pointer || '/'}: ${issue?.message ?? 'invalid'}.`,
      pointer,
    );
  }
  return parsed.data;
}
