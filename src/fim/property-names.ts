/**
 * JSON property names from FIM names: readable (lower camel case, German words transliterated to ASCII the
 * way German does without umlauts) and stable (the same FIM name always gives the same property name, so a
 * re-import of a newer version keeps the names of unchanged fields). Siblings whose names collide get the
 * FIM id appended, which is stable too.
 */
const transliteration: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', Ä: 'Ae', Ö: 'Oe', Ü: 'Ue', ß: 'ss' };
const maxLength = 64;

export function propertyName(fimName: string): string {
  const ascii = fimName
    .replace(/[äöüÄÖÜß]/g, (c) => transliteration[c] ?? c)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
  const words = ascii.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const camel = words
    // An acronym (IBAN, KFZ) reads as one word: iban, Kfz.
    .map((w) => (w.length > 1 && w === w.toUpperCase() ? w.charAt(0) + w.slice(1).toLowerCase() : w))
    .map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1)))
    .join('')
    .slice(0, maxLength);
  return /^[a-z]/.test(camel) ? camel : `f${camel}`;
}

/** Names for one object's members in document order; a repeated name gets `_<fimId>` appended. */
export function siblingNames(members: { name: string; id: string }[]): string[] {
  const taken = new Set<string>();
  return members.map(({ name, id }) => {
    let candidate = propertyName(name);
    if (taken.has(candidate)) candidate = `${candidate}_${id.replace(/[^A-Za-z0-9]/g, '')}`;
    taken.add(candidate);
    return candidate;
  });
}
