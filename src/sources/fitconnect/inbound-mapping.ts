/**
 * Inbound mappings: what turns a FIT-Connect submission's data into one of the gateway's services. The face only
 * re-exports: loading in inbound-mapping-load.ts, applying in inbound-mapping-apply.ts, the file syntax in
 * inbound-mapping-file-schema.ts.
 */
export { loadInboundMappings, type InboundLoadOptions, type LoadedInboundMappings } from './inbound-mapping-load.js';
export { mapInbound } from './inbound-mapping-apply.js';
export type {
  InboundInput,
  InboundIssue,
  InboundMapping,
  InboundMappings,
  InboundResult,
} from './inbound-mapping-types.js';
