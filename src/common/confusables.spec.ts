import { foldToLatin, skeleton } from './confusables';

describe('confusables (UTS #39)', () => {
  it('skeleton: a look-alike and its model share one, an unrelated name does not', () => {
    expect(skeleton('\u0430dmin')).toBe(skeleton('admin')); // Cyrillic а
    expect(skeleton('admin')).toBe('adrnin'); // m looks like rn: a skeleton is for comparing only
    expect(skeleton('adm1n')).not.toBe(skeleton('admin'));
  });

  it('foldToLatin: non-ASCII look-alike letters become ASCII letters, in the case the identifier is compared in', () => {
    expect(foldToLatin('\u0410\u0412\u0421 \u0391\u0392', 'upper')).toBe('ABC AB'); // Cyrillic АВС, Greek ΑΒ
    expect(foldToLatin('\u0399', 'upper')).toBe('I'); // Greek capital iota: I on a plate…
    expect(foldToLatin('\u0399', 'lower')).toBe('l'); // …and l in a domain compared in lower case
  });

  it('foldToLatin: leaves ASCII, and letters that look like no ASCII letter, as they are', () => {
    expect(foldToLatin('m0Il1', 'upper')).toBe('m0Il1'); // ASCII never changes (m is not rn, 0 is not O)
    expect(foldToLatin('Жд é', 'lower')).toBe('Жд é');
    expect(foldToLatin('З', 'upper')).toBe('З'); // Cyrillic Ze looks like a digit, not a letter
  });
});
