// Two small dictionaries (de, en). German is the interface language; the choice is remembered per browser.
const languageKey = 'amtsbote.language';
let dictionary = {};
let current = 'de';

export async function loadLanguage(language) {
  current = language === 'en' ? 'en' : 'de';
  const response = await fetch(`/admin/i18n/${current}.json`, { cache: 'no-store' });
  dictionary = await response.json();
  document.documentElement.lang = current;
  localStorage.setItem(languageKey, current);
}

export const preferredLanguage = () => localStorage.getItem(languageKey) ?? 'de';
export const language = () => current;

/** t('keys.retired', { kid }) → the text in the current language, with {placeholders} filled in. */
export function t(key, values = {}) {
  const text = dictionary[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (values[name] === undefined ? `{${name}}` : String(values[name])));
}
