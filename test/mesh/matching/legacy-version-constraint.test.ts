import { describe, expect, it } from 'vitest';
import { satisfiesLegacyConstraint } from '../../../src/mesh/matching/legacy-version-constraint.js';

interface Case {
  version: string;
  constraint: string;
  expected: boolean;
}

describe('satisfiesLegacyConstraint', () => {
  it.each<Case>([
    // Spec 5.2 "Consequences to preserve".
    { version: '1.9.0', constraint: '^1.2.0', expected: true },
    { version: '2.0.0', constraint: '^1.2.0', expected: false },
    { version: '0.9.0', constraint: '^0.2.0', expected: true },
    { version: '1.2.3-beta', constraint: '~1.2.0', expected: false },
    { version: '1.2.0', constraint: '~1.2', expected: false },
    { version: '1.2.5', constraint: '~1.2', expected: false },
    { version: '2.1.0-beta', constraint: '>=2.0.0', expected: true },
    { version: '1.0.0', constraint: '!=1.0.0', expected: false },
    { version: '2.0.0', constraint: '!=1.0.0', expected: false },
    // Unparseable side → "equal": >=abc matches everything, >abc nothing (fixture-verified).
    { version: '1.0.0', constraint: '>=abc', expected: true },
    { version: 'whatever', constraint: '>=abc', expected: true },
    { version: '1.0.0', constraint: '>abc', expected: false },
    { version: '99.0.0', constraint: '>abc', expected: false },
    { version: '1.0.0', constraint: '<=abc', expected: true },
    { version: '0.0.1', constraint: '<abc', expected: false },
    { version: 'junk', constraint: '>=9.9.9', expected: true },
    { version: 'junk', constraint: '<9.9.9', expected: false },
  ])('preserves the spec consequence: $version against $constraint is $expected', (c) => {
    expect(satisfiesLegacyConstraint(c.version, c.constraint)).toBe(c.expected);
  });

  it.each<Case>([
    { version: '1.0.0', constraint: '', expected: true },
    { version: 'anything', constraint: '   ', expected: true },
    { version: '', constraint: '\u3000', expected: true },
  ])('treats the blank constraint $constraint as satisfied by $version', (c) => {
    expect(satisfiesLegacyConstraint(c.version, c.constraint)).toBe(c.expected);
  });

  it.each<Case>([
    { version: '1.2.3', constraint: '>=1.2.3', expected: true },
    { version: '1.2.2', constraint: '>=1.2.3', expected: false },
    { version: '1.10.0', constraint: '>=1.9.0', expected: true },
    { version: '1.2.3', constraint: '>1.2.3', expected: false },
    { version: '1.2.4', constraint: '>1.2.3', expected: true },
    { version: '1.2.3', constraint: '<=1.2.3', expected: true },
    { version: '1.2.4', constraint: '<=1.2.3', expected: false },
    { version: '1.2.2', constraint: '<1.2.3', expected: true },
    { version: '1.2.3', constraint: '<1.2.3', expected: false },
    // Pre-release is dropped on both sides before comparing.
    { version: '2.0.0-beta', constraint: '>2.0.0', expected: false },
    { version: '2.0.0', constraint: '<=2.0.0-rc.1', expected: true },
    { version: '2.0.0-alpha', constraint: '<2.0.0', expected: false },
    // The shorter list is padded with zeros.
    { version: '1.2', constraint: '>=1.2.0', expected: true },
    { version: '1.2', constraint: '>1.2.0', expected: false },
    { version: '1.2.0.1', constraint: '>1.2', expected: true },
    { version: '2', constraint: '>1.9.9', expected: true },
    // Python int() tolerance: surrounding whitespace, sign, underscores, Unicode digits.
    { version: '1.2.3', constraint: '>= 1.2.3', expected: true },
    { version: '1.2.3', constraint: '>=+1.2.3', expected: true },
    { version: '1_000.0.0', constraint: '>999.0.0', expected: true },
    { version: '١.٢.٣', constraint: '>=1.2.3', expected: true },
    { version: '١.٢.٣', constraint: '>1.2.3', expected: false },
    // Parse failures make the whole comparison "equal".
    { version: '1.0.0+build', constraint: '>0.1.0', expected: false },
    { version: '1.0.', constraint: '<=0.0.1', expected: true },
    { version: '', constraint: '>=5.0.0', expected: true },
    { version: '1.0.0', constraint: '>=', expected: true },
    { version: '1.0.0', constraint: '>', expected: false },
    { version: '-1.0.0', constraint: '<0.0.1', expected: false },
  ])('compares $version against $constraint numerically: $expected', (c) => {
    expect(satisfiesLegacyConstraint(c.version, c.constraint)).toBe(c.expected);
  });

  it.each<Case>([
    { version: '1.0.0', constraint: '=1.0.0', expected: true },
    { version: '1.0.0', constraint: '= 1.0.0', expected: false },
    { version: '1.0.0', constraint: '==1.0.0', expected: false },
    { version: '=1.0.0', constraint: '==1.0.0', expected: true },
    { version: '1.0', constraint: '=1.0.0', expected: false },
    { version: '', constraint: '=', expected: true },
    // The constraint, not the version, is stripped.
    { version: '1.0.0', constraint: '  =1.0.0  ', expected: true },
    { version: ' 1.0.0', constraint: '=1.0.0', expected: false },
  ])('uses plain string equality for "=": $version against $constraint is $expected', (c) => {
    expect(satisfiesLegacyConstraint(c.version, c.constraint)).toBe(c.expected);
  });

  it.each<Case>([
    { version: '1.2.0', constraint: '~1.2.0', expected: true },
    { version: '1.2.9', constraint: '~1.2.0', expected: true },
    { version: '1.2.1', constraint: '~1.2.3', expected: false },
    { version: '1.3.0', constraint: '~1.2.0', expected: false },
    { version: '2.2.0', constraint: '~1.2.0', expected: false },
    // Major and minor compare as strings.
    { version: '01.2.5', constraint: '~1.2.0', expected: false },
    { version: '1.02.5', constraint: '~1.2.0', expected: false },
    { version: '1.2.5', constraint: '~ 1.2.0', expected: false },
    // Patch goes through Python int(); extra parts are ignored.
    { version: '1.2. 5', constraint: '~1.2.0', expected: true },
    { version: '1.2.3.4', constraint: '~1.2.3', expected: true },
    { version: '1.2.3', constraint: '~1.2.3.9', expected: true },
    { version: '1.2.3', constraint: '~1.2.0-rc', expected: false },
    { version: '1.2', constraint: '~1.2.0', expected: false },
    { version: '1.2.0', constraint: '~', expected: false },
  ])('applies the patch-compatible "~" rule: $version against $constraint is $expected', (c) => {
    expect(satisfiesLegacyConstraint(c.version, c.constraint)).toBe(c.expected);
  });

  it.each<Case>([
    { version: '1.2.0', constraint: '^1.2.0', expected: true },
    { version: '1.1.9', constraint: '^1.2.0', expected: false },
    { version: '0.1.0', constraint: '^0.2.0', expected: false },
    { version: '1.2.3-beta', constraint: '^1.2.0', expected: true },
    { version: '1.2', constraint: '^1.2.0', expected: true },
    { version: '1.2', constraint: '^1.2', expected: true },
    { version: '1', constraint: '^1.0.0', expected: false },
    { version: '1.0.0', constraint: '^1', expected: false },
    { version: '1.x.0', constraint: '^1.0.0', expected: false },
    { version: '01.5.0', constraint: '^1.2.0', expected: false },
    { version: '1.0.0', constraint: '^', expected: false },
  ])('applies the minor-compatible "^" rule: $version against $constraint is $expected', (c) => {
    expect(satisfiesLegacyConstraint(c.version, c.constraint)).toBe(c.expected);
  });

  it.each<Case>([
    { version: '1.0.0', constraint: '1.0.0', expected: true },
    { version: '1.0.0', constraint: ' 1.0.0 ', expected: true },
    { version: '1.0', constraint: '1.0.0', expected: false },
    { version: '1.0.0', constraint: 'v1.0.0', expected: false },
    { version: '1.0.0', constraint: '1.x', expected: false },
    { version: '*', constraint: '*', expected: true },
    { version: '1.0.0', constraint: '*', expected: false },
  ])(
    'falls back to string equality for other constraints: $version against $constraint is $expected',
    (c) => {
      expect(satisfiesLegacyConstraint(c.version, c.constraint)).toBe(c.expected);
    },
  );
});
