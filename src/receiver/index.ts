/**
 * Receiver kit for specialist software (exported as `amtsbote/receiver`): open `amtsbote-sealed/1`
 * messages, create the receiver's keys. No dependency on the gateway's HTTP server or store.
 */
export {
  openSealedMessage,
  type OpenOptions,
  type OpenedMessage,
  type OpenedAttachment,
} from './open-sealed-message.js';
export {
  OpenSealedMessageError,
  isOpenSealedMessageError,
  type OpenFailureCode,
  ReceiverError,
  isReceiverError,
  type ReceiverFailureCode,
} from './errors.js';
export { parseContainer } from './parse-container.js';
export { prepareRecipientKeys, type RecipientPrivateKey, type RecipientKeyRing } from './recipient-keys.js';
export { preparePinnedJwks, type JsonWebKeySet, type PinnedKeyRing } from './pinned-jwks.js';
export { loadPinnedJwks } from './load-pinned-jwks.js';
export {
  receiverKeysInit,
  RECEIVER_KEY_FILES,
  type ReceiverKeysInitOptions,
  type ReceiverKeysInitResult,
} from './keys-init.js';
export { writeOpened, safeFilename, type WrittenFiles } from './write-opened.js';
export {
  runReceiverKeysInit,
  runReceiverOpen,
  runReceiverReceipt,
  type CommandResult,
  type ReceiverOpenOptions,
  type ReceiverReceiptOptions,
} from './commands.js';
export { buildReceipt, sendReceipt, type ReceiptProblem } from './build-receipt.js';
export {
  SEALED_FORMAT,
  sealedMetadataSchema,
  type SealedContainer,
  type SealedMetadata,
  type SealedAttachmentEntry,
  type Sha512Hash,
  type DataMediaType,
} from './format.js';
export {
  REPLY_FORMAT,
  REPLY_KINDS,
  REPLY_DATA_MEDIA_TYPES,
  REPLY_MAX_ATTACHMENTS,
  replyMetadataSchema,
  replyDataEntrySchema,
  replyAttachmentEntrySchema,
  postedReplySchema,
  fetchedReplySchema,
  countersignaturePayloadSchema,
  destinationKeySchema,
  type ReplyKind,
  type ReplyMetadata,
  type ReplyAttachmentEntry,
  type PostedReply,
  type FetchedReply,
  type CountersignaturePayload,
  type DestinationKeyJwk,
} from './reply-format.js';
export { buildReply, type BuildReplyOptions, type BuiltReply, type ReplyAttachmentInput } from './build-reply.js';
export { sendReply } from './send-reply.js';
export { prepareReplyKey, type ReplyEncryptionKey } from './reply-key.js';
export { runReceiverReply, type ReceiverReplyOptions } from './reply-command.js';
