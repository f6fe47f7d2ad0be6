// Two small dictionaries (de, en). German is the interface language; the choice is remembered per browser.
const languageKey = 'amtsbote.language';
let dictionary = {};
let current = 'de';
let plurals = new Intl.PluralRules('de');

export async function loadLanguage(language) {
  current = language === 'en' ? 'en' : 'de';
  const response = await fetch(`/admin/i18n/${current}.json`, { cache: 'no-store' });
  dictionary = await response.json();
  plurals = new Intl.PluralRules(current);
  document.documentElement.lang = current;
  localStorage.setItem(languageKey, current);
}

export const preferredLanguage = () => localStorage.getItem(languageKey) ?? 'de';
export const language = () => current;

/** Whether the dictionary has a text for the key (codes from the server the page does not know yet have none). */
export const has = (key) => Object.hasOwn(dictionary, key) || Object.hasOwn(dictionary, `${key}.other`);

/** t('keys.retired', { kid }) → the text in the current language, with {placeholders} filled in. */
export function t(key, values = {}) {
  const text = dictionary[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (values[name] === undefined ? `{${name}}` : String(values[name])));
}

/**
 * tn('count.attempts', 1) → "1 Versuch": the form the language's plural rules choose for n (`key.one`,
 * `key.other`, …), with n as {n}; "other" when the language has no form of its own for that category.
 */
export function tn(key, n, values = {}) {
  const form = `${key}.${plurals.select(n)}`;
  return t(Object.hasOwn(dictionary, form) ? form : `${key}.other`, { ...values, n });
}
