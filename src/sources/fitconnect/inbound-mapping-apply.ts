/**
 * Applies an inbound mapping to one received submission: bound the size, read the data (JSON or safe XML), check
 * them against the mapping's local schema when it names one, choose the kind of case (`when`), evaluate the
 * service's `data` and pick the attachments that come along. Bad data are an answer (`ok: false`, with pointers),
 * never an exception. The service's own JSON Schema, assertions and DIN 91379 checks are the intake pipeline's, run
 * on the result as on any portal submission.
 */
import { evaluateInbound } from './inbound-mapping-expression.js';
import { readInboundJson } from './inbound-mapping-json.js';
import type { InboundData, InboundInput, InboundMapping, InboundResult } from './inbound-mapping-types.js';
import { readInboundXml } from './inbound-mapping-xml.js';

export async function mapInbound(mapping: InboundMapping, input: InboundInput): Promise<InboundResult> {
  if (input.data.length > mapping.maxBytes)
    return dataError('data-syntax', '', `the data are larger than ${mapping.maxBytes} bytes`);
  let data: InboundData;
  if (mapping.xml !== undefined) {
    const read = readInboundXml(input.data, mapping.xml);
    if (!read.ok) return read;
    data = { kind: 'xml', text: read.text, value: read.value };
  } else {
    const read = readInboundJson(input.data);
    if (!read.ok) return read;
    data = { kind: 'json', value: read.value };
  }
  const issues = mapping.validate?.(data) ?? [];
  if (issues.length > 0) return { ok: false, reason: 'data-schema', errors: issues };

  const bindings = {
    metadata: input.metadata,
    attachments: input.attachments.map((a) => ({ ...a })),
  };
  for (const produce of mapping.produces) {
    if (produce.when !== undefined) {
      const when = await evaluateInbound(produce.when, data.value, bindings);
      if ('error' in when) return dataError('data-schema', '', `the mapping cannot read these data (${when.error})`);
      if (when.value !== true) continue;
    }
    const result = await evaluateInbound(produce.data, data.value, bindings);
    if ('error' in result) return dataError('data-schema', '', `the mapping cannot read these data (${result.error})`);
    // JSONata's results carry sequence flags on arrays; the service gets plain JSON.
    const plain: unknown = result.value === undefined ? undefined : JSON.parse(JSON.stringify(result.value));
    if (plain === null || typeof plain !== 'object' || Array.isArray(plain))
      return dataError('data-schema', '', 'the mapping finds no data of the service in these data');
    return {
      ok: true,
      serviceKey: produce.service,
      data: plain as Record<string, unknown>,
      attachments: input.attachments
        .filter((a) => a.purpose !== 'data' && comesAlong(mapping.attachments, a.purpose))
        .map((a) => ({ id: a.id, purpose: a.purpose })),
    };
  }
  return dataError('data-schema', '', 'the data hold none of the kinds of case this mapping takes');
}

function comesAlong(selection: InboundMapping['attachments'], purpose: string): boolean {
  if (selection === 'all') return true;
  if (selection === 'none') return false;
  return selection.purposes.includes(purpose);
}

function dataError(
  reason: 'data-syntax' | 'data-schema',
  pointer: string,
  detail: string,
): Extract<InboundResult, { ok: false }> {
  return { ok: false, reason, errors: [{ pointer, detail }] };
}
