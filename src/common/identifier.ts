import { foldToLatin } from './confusables';

/* The text folds every identifier shares: entity values (reports/normalise) and usernames (auth). */

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const DECIMAL_DIGIT = /\p{Nd}/u;
const NON_ASCII_DIGIT = /(?![0-9])\p{Nd}/gu;

const digitCache = new Map<string, string>();
/**
 * The ASCII digit of any Unicode decimal digit. Unicode encodes every decimal digit (`Nd`) in runs
 * from 0 to 9, so a digit's value is its distance to the start of its run, modulo 10 (the modulo
 * covers the mathematical digits, five runs in a row).
 */
function asciiDigit(d: string): string {
  let known = digitCache.get(d);
  if (known === undefined) {
    const cp = d.codePointAt(0)!;
    let below = 0;
    while (DECIMAL_DIGIT.test(String.fromCodePoint(cp - below - 1))) below++;
    known = String(below % 10);
    if (digitCache.size < 1024) digitCache.set(d, known);
  }
  return known;
}

/** NFKC, default-ignorable code points (zero-width characters, soft hyphen, bidi marks…) removed, NFKC again (what was split by an ignorable may compose). */
export const visible = (v: string, ignorable = IGNORABLE): string => v.normalize('NFKC').replace(ignorable, '').normalize('NFKC');
/** Every Unicode decimal digit as its ASCII digit (`９`, `٩`, `९` → `9`). */
export const asciiDigits = (v: string): string => v.replace(NON_ASCII_DIGIT, asciiDigit);

/** E-mail address, domain (and a username compared with the accounts): lower case, look-alike letters as Latin, digits as ASCII. */
export function lowerIdentifier(value: string): string {
  const low = (s: string) => foldToLatin(s, 'lower').toLowerCase();
  return low(asciiDigits(visible(value)).trim());
}
