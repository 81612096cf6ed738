import fc from 'fast-check';
import { skeleton } from '../common/confusables';
import { asciiDigits } from '../common/identifier';
import { type EntityType, normaliseEntity } from './normalise';

const key = (type: EntityType, value: string) => {
  const n = normaliseEntity(type, value);
  return n.ok ? n.value : null;
};

describe('normaliseEntity', () => {
  it.each([
    ['PHONE', '+44 7700 900123', '+447700900123'],
    ['PHONE', '+447700900123', '+447700900123'],
    ['PHONE', '(020) 7946-0958', '02079460958'],
    ['EMAIL', ' Alice@Example.ORG ', 'alice@example.org'],
    ['DOMAIN', 'Evil.Example.COM.', 'evil.example.com'],
    ['VEHICLE', 'ab12 cde', 'AB12CDE'],
    ['VEHICLE', 'AB-12-CDE', 'AB12CDE'],
    ['PERSON', '  John   SMITH ', 'john smith'],
    ['ORGANISATION', 'ACME\tTrading  Ltd', 'acme trading ltd'],
    ['IP', '192.168.001.010', '192.168.1.10'],
    ['IP', '2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['IP', '[::FFFF:1.2.3.4]', '::ffff:102:304'],
    ['IP', 'fe80::1%eth0', 'fe80::1'],
    ['IP', '[FE80::1%1]', 'fe80::1'],
    ['FINANCIAL_ACCOUNT', 'GB82 WEST 1234 5698 7654 32', 'GB82WEST12345698765432'],
  ] as const)('%s %j → %j', (type, value, expected) => {
    expect(key(type, value)).toBe(expected);
  });

  it.each([
    ['PHONE', 'no digits'],
    ['EMAIL', 'not an email'],
    ['IP', '256.1.1.1'],
    ['IP', 'example.com'],
    ['IP', '%eth0'],
    ['IP', '::1%'],
    ['VEHICLE', '--- ---'],
    ['PERSON', '   '],
    ['PERSON', '\u200b\u00ad\u200d'],
  ] as const)('%s %j is refused', (type, value) => {
    expect(normaliseEntity(type, value)).toEqual({ ok: false, reason: expect.any(String) });
  });

  it('refuses, never throws on, what validation should have stopped (no type, no string)', () => {
    expect(normaliseEntity(undefined as unknown as EntityType, undefined as unknown as string).ok).toBe(false);
    expect(normaliseEntity('PHONE', ['+44'] as unknown as string).ok).toBe(false);
    expect(normaliseEntity('SHOE' as EntityType, 'x').ok).toBe(false);
  });

  describe('the four look-alikes of issue 18, verbatim', () => {
    it('+44 7700 ９００１２３ (full-width digits) is +447700900123, not +447700', () => {
      expect(key('PHONE', '+44 7700 ９００１２３')).toBe('+447700900123');
    });
    it('Arabic-Indic digits keep the country code, also behind a right-to-left mark', () => {
      expect(key('PHONE', '+٤٤ ٧٧٠٠ ٩٠٠١٢٣')).toBe('+447700900123');
      expect(key('PHONE', '\u200f+٤٤ ٧٧٠٠ ٩٠٠١٢٣')).toBe('+447700900123');
      expect(key('PHONE', '+۴۴ ۷۷۰۰ ۹۰۰۱۲۳')).toBe('+447700900123'); // Extended (Persian) digits
    });
    it('АВ12 CDE (Cyrillic А and В) is AB12CDE, not 12CDE', () => {
      expect(key('VEHICLE', '\u0410\u041212 CDE')).toBe('AB12CDE');
      expect(key('VEHICLE', 'АВ12 CDE')).toBe('AB12CDE');
    });
    it('John\\u200bSmith matches john smith', () => {
      expect(key('PERSON', 'John\u200bSmith')).toBe(key('PERSON', 'john smith'));
    });
  });

  it('keeps names in their own script, case-folded (Иванов stays Cyrillic)', () => {
    expect(key('PERSON', 'ИВАНОВ  Иван')).toBe('иванов иван');
    expect(key('PERSON', 'Strauß')).toBe(key('PERSON', 'STRAUSS'));
    expect(key('PERSON', 'Jo\u00adhn Sm\u2060ith')).toBe('john smith');
  });

  it('folds look-alikes in e-mail addresses and domains to Latin, in lower case', () => {
    expect(key('EMAIL', 'аlice@exаmple.org')).toBe('alice@example.org');
    expect(key('DOMAIN', 'paypa\u0399.com')).toBe('paypal.com'); // Greek capital iota looks like l
    expect(key('DOMAIN', 'ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('example.com');
    // Punycode labels are read as the Unicode they encode: `xn--pypal-4ve` is `pаypal` with a Cyrillic а.
    expect(key('DOMAIN', 'xn--pypal-4ve.com')).toBe('paypal.com');
    expect(key('EMAIL', 'Billing@XN--PYPAL-4VE.com')).toBe('billing@paypal.com');
    expect(key('DOMAIN', 'xn--zz.example.com')).toBe('xn--zz.example.com'); // not valid punycode: as sent
  });

  it('keeps letters that look like no Latin letter: nothing is lost silently', () => {
    expect(key('VEHICLE', 'Ж 123 ДЖ')).toBe('Ж123ДЖ');
    expect(key('DOCUMENT', 'école-1')).toBe('ÉCOLE1');
  });

  it.each([
    ['PHONE', '+44 7700 900123 ext 5', 'U+0065'],
    ['PHONE', '+44 7700 ☎ 900123', 'U+260E'],
    ['VEHICLE', 'AB12★CDE', 'U+2605'],
    ['DOCUMENT', 'P<123$456', 'U+003C'],
    ['FINANCIAL_ACCOUNT', 'GB82 WEST 1234 5698 7654 32 €', 'U+20AC'],
  ] as const)('refuses %s %j, which would lose %s, and names the character', (type, value, cp) => {
    const n = normaliseEntity(type, value);
    expect(n.ok).toBe(false);
    expect(!n.ok && n.reason).toContain(cp);
  });

  it('turns every Unicode decimal digit of every numbering system into its ASCII digit', () => {
    let systems = 0;
    for (const ns of Intl.supportedValuesOf('numberingSystem')) {
      const fmt = new Intl.NumberFormat(`en-u-nu-${ns}`, { useGrouping: false });
      const digits = [...'0123456789'].map((d) => fmt.format(Number(d)));
      if (!digits.every((d) => /^\p{Nd}$/u.test(d))) continue; // algorithmic systems (roman, hanidec…)
      systems++;
      expect([ns, asciiDigits(digits.join(''))]).toEqual([ns, '0123456789']);
    }
    expect(systems).toBeGreaterThan(50);
    // And every Nd code point becomes some ASCII digit.
    for (let cp = 0x80; cp <= 0x10ffff; cp++) {
      const ch = String.fromCodePoint(cp);
      if (/\p{Nd}/u.test(ch) && !/^[0-9]$/.test(asciiDigits(ch))) throw new Error(`U+${cp.toString(16)} → ${asciiDigits(ch)}`);
    }
  });
});

describe('look-alikes normalise to their plain twin (property)', () => {
  // Zero digits of other scripts: full-width, Arabic-Indic, Persian, N'Ko, Devanagari, Bengali, Thai,
  // Myanmar, Mongolian, mathematical bold and monospace, Adlam.
  const ZEROS = [0xff10, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xe50, 0x1040, 0x1810, 0x1d7ce, 0x1d7f6, 0x1e950];
  const IGNORABLES = ['\u200b', '\u200c', '\u200d', '\u00ad', '\u2060', '\ufeff', '\u200e', '\u200f', '\u034f', '\ufe0f', '\u180e'];
  /** Cyrillic and Greek letters (both cases) that look like each Latin capital, and the full-width capital. */
  const UPPER_TWINS: Record<string, string[]> = {
    A: ['А', 'Α', 'а', 'α'], B: ['В', 'Β', 'в'], C: ['С', 'с'], E: ['Е', 'Ε', 'е'], H: ['Н', 'Η', 'н'],
    I: ['І', 'Ι', 'і', 'ι', 'Ӏ'], J: ['Ј', 'ј'], K: ['К', 'Κ', 'к'], M: ['М', 'Μ', 'м'], N: ['Ν'],
    O: ['О', 'Ο', 'о', 'ο'], P: ['Р', 'Ρ', 'р', 'ρ'], S: ['Ѕ', 'ѕ'], T: ['Т', 'Τ', 'т'], X: ['Х', 'Χ', 'х'],
    Y: ['У', 'Υ', 'у'], Z: ['Ζ'],
  };
  /** Look-alikes of Latin small letters, as an e-mail address or a domain would carry them. */
  const LOWER_TWINS: Record<string, string[]> = {
    a: ['а', 'α', 'А'], c: ['с', 'С'], e: ['е', 'Е'], h: ['һ', 'Н'], i: ['і', 'ι'], j: ['ј'], k: ['К', 'Κ'],
    l: ['Ι', 'І'], m: ['М'], o: ['о', 'ο', 'О'], p: ['р', 'ρ', 'Р'], s: ['ѕ', 'Ѕ'], t: ['Т'], v: ['ν'],
    x: ['х', 'Х'], y: ['у'],
  };
  const fullWidth = (ch: string) => String.fromCodePoint(ch.codePointAt(0)! - 0x21 + 0xff01);

  const pick = <T>(items: readonly T[]) => fc.constantFrom(...items);
  /** A disguise of one plain character: itself, a look-alike, a full-width form, or a digit of another script, maybe after an ignorable. */
  const disguise = (ch: string, twins: Record<string, string[]>) => {
    const forms: fc.Arbitrary<string>[] = [fc.constant(ch)];
    if (twins[ch]) forms.push(pick(twins[ch]));
    if (/[0-9]/.test(ch)) forms.push(pick(ZEROS).map((z) => String.fromCodePoint(z + Number(ch))));
    if (/[!-~]/.test(ch)) forms.push(fc.constant(fullWidth(ch)));
    return fc.tuple(fc.oneof(...forms), fc.option(pick(IGNORABLES), { nil: '' })).map(([f, ig]) => ig + f);
  };
  const disguised = (plain: string, twins: Record<string, string[]>) =>
    fc.tuple(...[...plain].map((ch) => disguise(ch, twins))).map((parts) => parts.join(''));

  const upperAlnum = fc.string({ unit: pick([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789']), minLength: 1, maxLength: 12 });
  const lowerWord = fc.string({ unit: pick([...'abcdefghijklmnopqrstuvwxyz0123456789']), minLength: 1, maxLength: 10 });

  it.each(['VEHICLE', 'DOCUMENT', 'FINANCIAL_ACCOUNT'] as const)('%s: Cyrillic/Greek letters, other digits, full width, ignorables, separators', (type) => {
    fc.assert(
      fc.property(
        upperAlnum.chain((plain) => fc.tuple(fc.constant(plain), disguised(plain, UPPER_TWINS), fc.nat(plain.length), pick([' ', '-', '.', ' / ', '\u00a0', '\u2010']))),
        ([plain, look, at, sep]) => {
          const withSep = [...look].slice(0, at).join('') + sep + [...look].slice(at).join('');
          expect(key(type, withSep)).toBe(plain);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('PHONE: digits of any script, full width, ignorables (also before the +)', () => {
    const digits = fc.string({ unit: pick([...'0123456789']), minLength: 6, maxLength: 15 });
    fc.assert(
      fc.property(
        digits.chain((plain) => fc.tuple(fc.constant(plain), disguised(plain, {}), fc.boolean(), fc.option(pick(IGNORABLES), { nil: '' }))),
        ([plain, look, plus, lead]) => {
          expect(key('PHONE', `${lead}${plus ? '+' : ''}${look}`)).toBe(`${plus ? '+' : ''}${plain}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('EMAIL and DOMAIN: look-alike letters of other scripts, full width, ignorables', () => {
    fc.assert(
      fc.property(
        fc.tuple(lowerWord, lowerWord, pick(['org', 'com', 'net'])).chain(([local, host, tld]) =>
          fc.tuple(fc.constant(`${local}@${host}.${tld}`), disguised(`${local}@${host}.${tld}`, LOWER_TWINS), disguised(`${host}.${tld}`, LOWER_TWINS)),
        ),
        ([plain, lookEmail, lookDomain]) => {
          expect(key('EMAIL', lookEmail)).toBe(plain);
          expect(key('DOMAIN', lookDomain)).toBe(plain.split('@')[1]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('PERSON: case, ignorables inside words, a zero-width space between them, other spaces', () => {
    const words = fc.array(fc.string({ unit: pick([...'abcdefghijklmnopqrstuvwxyz']), minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 });
    const inside = IGNORABLES.filter((c) => c !== '\u200b');
    fc.assert(
      fc.property(
        words.chain((ws) =>
          fc.tuple(
            fc.constant(ws.join(' ')),
            fc.tuple(...ws.map((w) => fc.tuple(...[...w].map((ch) => fc.tuple(fc.boolean(), fc.option(pick(inside), { nil: '' })).map(([up, ig]) => ig + (up ? ch.toUpperCase() : ch)))).map((cs) => cs.join('')))),
            fc.array(pick([' ', '  ', '\t', '\u200b', '\u00a0', '\u3000']), { minLength: ws.length, maxLength: ws.length }),
          ),
        ),
        ([plain, ws, gaps]) => {
          expect(key('PERSON', ws.map((w, i) => (i ? gaps[i] : '') + w).join(''))).toBe(plain);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never loses a character silently: a symbol anywhere in a plate, document or account, a letter or symbol in a phone, is refused', () => {
    const symbols = ['★', '$', '+', '=', '©', '€', '|', '<', '\u{1F600}', '\ue000'];
    fc.assert(
      fc.property(upperAlnum, fc.nat(), pick(symbols), pick(['VEHICLE', 'DOCUMENT', 'FINANCIAL_ACCOUNT'] as const), (plain, at, sym, type) => {
        const i = at % (plain.length + 1);
        expect(normaliseEntity(type, plain.slice(0, i) + sym + plain.slice(i)).ok).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: pick([...'0123456789']), minLength: 1, maxLength: 12 }), fc.nat(), pick([...symbols, 'x', 'Ж', 'ω']), (plain, at, bad) => {
        const i = 1 + (at % plain.length);
        expect(normaliseEntity('PHONE', `+${plain.slice(0, i)}${bad}${plain.slice(i)}`).ok).toBe(false);
      }),
    );
  });
});

describe('skeleton (UTS #39)', () => {
  it('is the same for a look-alike and its model, and differs from an unrelated name', () => {
    expect(skeleton('\u0430dmin')).toBe(skeleton('admin')); // Cyrillic а
    expect(skeleton('\u0430dmin')).not.toBe('\u0430dmin');
    expect(skeleton('adm1n')).not.toBe(skeleton('admin'));
    expect(skeleton('paypa\u0399')).toBe(skeleton('paypal'));
  });
});
