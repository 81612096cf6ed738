import unhomoglyph from 'unhomoglyph';

/*
 * Confusable characters (Unicode UTS #39), from one place. The data is Unicode's own `confusables.txt`
 * as shipped by the `unhomoglyph` package (nodeca, MIT; the file's mapping, version 13.0.0), whose one
 * function replaces every code point by its prototype. See docs/decisions.md ("normalise").
 */

/**
 * The UTS #39 skeleton of a string: NFD, each code point replaced by its confusables.txt prototype,
 * NFD again. Two strings that look alike have the same skeleton (`аdmin` in Cyrillic and `admin` both
 * give `adrnin`: `m` looks like `rn`). A skeleton is for comparing, never for showing as a name.
 */
export function skeleton(s: string): string {
  return unhomoglyph(s.normalize('NFD')).normalize('NFD');
}

export type LetterCase = 'upper' | 'lower';

const ASCII_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Skeleton → the ASCII letters that have it (`l` → [I, l]; `O` → [O]). */
const LETTERS_BY_SKELETON = new Map<string, string[]>();
for (const a of ASCII_LETTERS) {
  const k = skeleton(a);
  LETTERS_BY_SKELETON.set(k, [...(LETTERS_BY_SKELETON.get(k) ?? []), a]);
}

const LETTER = /^\p{L}$/u;
const CACHE_LIMIT = 4096;
const twins = new Map<string, string | null>();

/**
 * The ASCII letter a non-ASCII letter is a look-alike of, or null. Where two ASCII letters share the
 * skeleton (I and l), the one of the preferred case wins: Greek `Ι` is `I` on a number plate and `l`
 * in a domain name, where the comparison is in lower case.
 */
function latinTwin(ch: string, prefer: LetterCase): string | null {
  const key = prefer + ch;
  const known = twins.get(key);
  if (known !== undefined) return known;
  let twin: string | null = null;
  if (LETTER.test(ch)) {
    const candidates = LETTERS_BY_SKELETON.get(skeleton(ch));
    if (candidates) {
      const sameCase = candidates.find((c) => (prefer === 'upper' ? c >= 'A' && c <= 'Z' : c >= 'a' && c <= 'z'));
      twin = sameCase ?? candidates[0];
    }
  }
  // Bounded: a caller sending every letter of Unicode must not grow the cache without end.
  if (twins.size >= CACHE_LIMIT) twins.clear();
  twins.set(key, twin);
  return twin;
}

/**
 * Replaces every non-ASCII letter that looks like an ASCII letter (UTS #39 confusables: Cyrillic `А`,
 * Greek `Ο`, Latin `ɑ`…) by that letter; everything else is kept as it is. For identifiers (plates,
 * documents, accounts, e-mail addresses, domains), never for people's names.
 */
export function foldToLatin(s: string, prefer: LetterCase): string {
  let out = '';
  for (const ch of s) out += ch.charCodeAt(0) < 0x80 ? ch : (latinTwin(ch, prefer) ?? ch);
  return out;
}
