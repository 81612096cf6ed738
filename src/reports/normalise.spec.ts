import { normaliseEntity } from './normalise';

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
    expect(normaliseEntity(type, value)).toBe(expected);
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
  ] as const)('%s %j is refused', (type, value) => {
    expect(normaliseEntity(type, value)).toBeNull();
  });
});
