/**
 * seal/: the gateway's keys, the recipients' keys, the `amtsbote-sealed/1` message and the escrow copy.
 * Knows nothing of HTTP or storage: state such as the active signing kid comes in as arguments.
 */
export type { GatewayKeys, GatewaySigningKey, GatewayEscrowKey, PublicSigningJwk } from './gateway-keys/types.js';
export {
  gatewayKeysConfigSchema,
  recipientKeyPolicyConfigSchema,
  type GatewayKeysConfig,
  type RecipientKeyPolicyConfig,
} from './gateway-keys/config-schema.js';
export { loadGatewayKeys, type LoadGatewayKeysOptions } from './gateway-keys/load-gateway-keys.js';
export { createDevelopmentKeys, developmentKeyFiles } from './gateway-keys/create-development-keys.js';
export { writeNewGatewayKey, type GatewayKeyPurpose } from './gateway-keys/write-new-key.js';
export { importSigningKey, GATEWAY_MIN_MODULUS_BITS } from './gateway-keys/import-signing-key.js';
export { importEscrowKey } from './gateway-keys/import-escrow-key.js';
export { parsePrivateKey } from './gateway-keys/read-private-key.js';
export { signingKeyFor, escrowKeyFor, initialActiveKids, configuredKeys } from './gateway-keys/select-key.js';
export { gatewayJwks } from './gateway-keys/public-jwks.js';
export type { KeyRing } from './gateway-keys/key-ring.js';

export { defaultRecipientKeyPolicy, type RecipientKeyPolicy, type KeyPurpose } from './recipient-keys/policy.js';
export {
  checkEncryptionJwk,
  checkReceiptJwk,
  type RecipientEncryptionKey,
  type RecipientReceiptKey,
} from './recipient-keys/check-recipient-jwk.js';
export { loadTrustAnchors } from './recipient-keys/load-trust-anchors.js';
export { fetchJwks, type FetchJwksOptions, type FetchedJwks } from './recipient-keys/fetch-jwks.js';
export {
  createKeyResolver,
  type KeyResolver,
  type KeyResolverOptions,
  type JwksStatus,
} from './recipient-keys/key-resolver.js';
export {
  checkDestinationKeys,
  keyOrigin,
  keySetUnavailable,
  type KeyOrigin,
  type KeyProblem,
} from './recipient-keys/check-destination-keys.js';
export { describeKeySource, type KeyDescription } from './recipient-keys/describe-key-source.js';
export {
  isInlineSource,
  isProvidedSource,
  isRemoteSource,
  type CertificateChainCheck,
  type KeySource,
  type ProvidedKeySource,
  type RecipientKeyProvider,
} from './recipient-keys/key-source.js';
export { recipientKeyError, isRecipientKeyError, type RecipientKeyReason } from './lib/errors.js';

export { sealMessage } from './sealed-message/seal-message.js';
export { sealMessageToBytes, type SealedMessageBytes } from './sealed-message/seal-message-bytes.js';
export { serializeContainer } from './sealed-message/serialize-container.js';
export type { SealInput, SealAttachment, SealOptions, SealedMessage } from './sealed-message/types.js';

export { sealEscrow, sealEscrowToBytes } from './escrow/seal-escrow.js';
export { openEscrow } from './escrow/open-escrow.js';
export { sealReplyMetadata, openReplyMetadata, REPLY_METADATA_CTY } from './escrow/reply-metadata.js';
export {
  ESCROW_FORMAT,
  ESCROW_CTY,
  ESCROW_FORMAT_1,
  ESCROW_CTY_1,
  type EscrowSubmission,
  type EscrowAttachment,
} from './escrow/types.js';

export { sealFitConnect } from './fitconnect/seal-fitconnect.js';
export {
  FITCONNECT_CONTAINER_FORMAT,
  fitConnectContainerSchema,
  type FitConnectContainer,
} from './fitconnect/container.js';
export {
  FITCONNECT_METADATA_SCHEMA,
  fitConnectMetadataSchema,
  type FitConnectMetadata,
} from './fitconnect/metadata-schema.js';
export {
  DEFAULT_DATA_ATTACHMENT_ABOVE_BYTES,
  type FitConnectSealInput,
  type FitConnectSealed,
} from './fitconnect/types.js';
export {
  AUTHENTICATION_DATA_SET_SCHEMA,
  authenticationDataSetJsonSchema,
} from './fitconnect/authentication-data-set.js';

export { parsePostedReply } from './reply/parse-posted-reply.js';
export { peekReplyMetadata } from './reply/peek-reply-metadata.js';
export { verifyPostedReply, type VerifyReplyOptions, type VerifiedReply } from './reply/verify-reply-metadata.js';
export { countersignReply, type CountersignInput, type Countersignature } from './reply/countersign-reply.js';
export { replyError, isReplyError, type ReplyRefusalReason } from './reply/errors.js';
