/**
 * libxml2 quotes the offending value in its messages (`The value 'Müller1' is not accepted by the pattern
 * '…'`), and the value may be personal data while the pattern is kilobytes of DIN 91379 character class.
 * Problem documents and logs get the message without either.
 */
export function sanitizeXsdMessage(message: string): string {
  const trimmed = message.trim();
  const head = /^(Element '[^']*'(?:, attribute '[^']*')?: )/.exec(trimmed);
  const prefix = head?.[1] ?? '';
  let rest = trimmed.slice(prefix.length);
  rest = rest
    .replace(/The value '.*' is not accepted by the pattern '.*'\.?$/s, 'The value is not accepted by the pattern.')
    .replace(/The value '.*' (is not .*)$/s, 'The value $1')
    .replace(/^'.*' (is not a valid value of .*)$/s, 'The value $1')
    .replace(/The value has a length of '\d+'/, 'The value has a length that');
  return prefix + rest;
}
