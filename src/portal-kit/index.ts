/**
 * Portal kit (exported as `amtsbote/portal`): open `amtsbote-reply/1` replies the gateway forwards. No
 * dependency on the gateway's HTTP server or store; docs/sealed-reply.md is the format it follows.
 */
export { openReply, type OpenReplyOptions, type OpenedReply, type OpenedReplyAttachment } from './open-reply.js';
export { OpenReplyError, isOpenReplyError, type OpenReplyFailureCode } from './errors.js';
export { parseFetchedReply } from './parse-fetched-reply.js';
export { writeOpenedReply, type WrittenReplyFiles } from './write-opened-reply.js';
export { runPortalOpenReply, type PortalOpenReplyOptions } from './open-reply-command.js';
export {
  REPLY_FORMAT,
  REPLY_KINDS,
  fetchedReplySchema,
  replyMetadataSchema,
  countersignaturePayloadSchema,
  type FetchedReply,
  type ReplyMetadata,
  type ReplyKind,
  type CountersignaturePayload,
} from '../receiver/reply-format.js';
export { loadPinnedJwks } from '../receiver/load-pinned-jwks.js';
export type { JsonWebKeySet } from '../receiver/pinned-jwks.js';
