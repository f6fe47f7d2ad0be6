/**
 * Which DIN 91379 datatype a FIM text field gets (`x-din91379`), from its data type and its meaning:
 * - A (names of natural persons) for family, given, birth and former names;
 * - B (other names) for names of places, streets, businesses, authorities and vehicles' makes, and for
 *   short identifying texts (house numbers, postcodes, registration numbers) that are names in the standard's
 *   sense;
 * - C (free text, the only one admitting TAB, LF and CR) for everything else, and always for `text_latin`,
 *   which XDatenfelder defines as String.Latin+ 1.2 datatype C.
 * Meaning comes from the FIM name, matched on whole German words. docs/fim-import.md lists the words.
 */
import type { Din91379Datatype } from '../xoev/index.js';
import type { FimField } from './model.js';

const personName =
  /\b(familienname|vorname|vornamen|rufname|geburtsname|nachname|fruehere[rn]? ?namen?|ehename|lebenspartnerschaftsname|doktorgrad|namenszusatz)\b|^name (der|des) (person|antragsteller|ehegatten|kindes)/;
const otherName =
  /\b(strasse|strassenname|ort|wohnort|geburtsort|gemeinde|ortsteil|stadt|firma|firmenname|betriebsname|unternehmensname|bezeichnung der (firma|behoerde|einrichtung)|behoerde|hausnummer|hausnummerzusatz|postleitzahl|plz|land|staat|kennzeichen|amtliches kennzeichen|hersteller|marke)\b/;

const fold = (name: string): string =>
  name.toLowerCase().replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss');

export function din91379Class(field: Pick<FimField, 'name' | 'dataType'>): { datatype: Din91379Datatype; why: string } {
  if (field.dataType === 'text_latin') return { datatype: 'C', why: 'text_latin is String.Latin+ datatype C' };
  const name = fold(field.name);
  if (personName.test(name)) return { datatype: 'A', why: 'a name of a natural person' };
  if (otherName.test(name)) return { datatype: 'B', why: 'another name (place, street, business, identifier)' };
  return { datatype: 'C', why: 'free text' };
}
