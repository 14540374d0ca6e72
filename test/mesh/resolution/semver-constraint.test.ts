import { describe, expect, it } from 'vitest';
import {
  compareCodePoints,
  compareVersions,
  MAX_CONSTRAINT_LENGTH,
  parseConstraint,
  parseVersion,
  satisfiesConstraint,
} from '../../../src/mesh/resolution/semver-constraint.js';

describe('parseVersion', () => {
  it.each([
    ['1.2.3', [1n, 2n, 3n, '', '']],
    ['v1.2.3', [1n, 2n, 3n, '', '']],
    ['1.2', [1n, 2n, 0n, '', '']],
    ['1', [1n, 0n, 0n, '', '']],
    ['01.002.3', [1n, 2n, 3n, '', '']],
    ['1.2.3-rc.1+build.5', [1n, 2n, 3n, 'rc.1', 'build.5']],
    ['1.2-beta', [1n, 2n, 0n, 'beta', '']],
    ['18446744073709551615.0.0', [18446744073709551615n, 0n, 0n, '', '']],
  ] as const)('parses %s', (text, [major, minor, patch, prerelease, build]) => {
    expect(parseVersion(text)).toEqual({ major, minor, patch, prerelease, build });
  });

  it.each([
    '',
    'latest',
    '1.2.3.4',
    ' 1.2.3',
    '1.2.3 ',
    'V1.2.3',
    '1.2.3-01',
    '1.2.3-',
    '1.2.3+',
    '1.2.3-a..b',
    '18446744073709551616.0.0',
    '1.x',
  ])('rejects %j', (text) => {
    expect(parseVersion(text)).toBeUndefined();
  });
});

describe('compareVersions', () => {
  it.each([
    ['2.0.0', '1.0.0', 1],
    ['1.0.0', '1.0.0', 0],
    ['1.2.0', '1.10.0', -1],
    ['1.0.0-alpha', '1.0.0', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
    ['1.0.0-alpha.beta', '1.0.0-beta', -1],
    ['1.0.0-beta.2', '1.0.0-beta.11', -1],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0+a', '1.0.0+b', 0],
    ['v1.2', '1.2.0', 0],
    ['', '1.0.0', -1],
    ['garbage', '1.0.0', -1],
    ['1.0.0', 'garbage', 1],
    ['beta', 'alpha', 1],
    ['alpha', 'alpha', 0],
  ])('compares %j with %j as %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });

  it('orders strings by code point, as Go does, not by UTF-16 unit', () => {
    expect(compareCodePoints('\u{1F600}', '\uFF01')).toBe(1);
    expect(compareCodePoints('a', 'b')).toBe(-1);
    expect(compareCodePoints('ab', 'a')).toBe(1);
  });
});

describe('satisfiesConstraint fallbacks of the registry', () => {
  it.each([
    ['an empty constraint matches any version', '1.2.3', '', true],
    ['an empty constraint matches even an empty version', '', '', true],
    ['an empty constraint matches an unparseable version', 'latest', '', true],
    ['an empty version fails a non-empty constraint', '', '>=0.0.0', false],
    ['an empty version fails even a wildcard', '', '*', false],
    ['an unparseable version equal to the constraint matches', 'latest', 'latest', true],
    ['an unparseable version is not compared semantically', 'latest', '>=1.0.0', false],
    ['a four-part version only matches itself', '1.2.3.4', '1.2.3.4', true],
    ['an unparseable constraint matches only the identical string', '1.2.3', 'not-a-range', false],
    ['an unparseable constraint equal to the version matches', '1.2.3', '1.2.3', true],
    ['a trailing OR makes the constraint unparseable', '1.0.0', '1.0.0 ||', false],
    ['a four-part constraint is unparseable', '12.3.4', '12.3.4.1234', false],
    ['items glued without a separator are unparseable', '1.2.3', '12.3.34~ 1.2.3', false],
    ['a wildcard mixed into a number is unparseable', '1.2.3', '1x', false],
    ['a single pipe is unparseable', '1.0.0', '1.0.0 | 2.0.0', false],
    ['a lone bang is unparseable', '1.0.0', '!1.0.0', false],
    ['a whitespace-only constraint is unparseable', '1.0.0', ' ', false],
  ])('%s', (_name, version, constraint, expected) => {
    expect(satisfiesConstraint(version, constraint)).toBe(expected);
  });

  it('treats an overlong constraint as unparseable', () => {
    const long = `>=1.0.0${' '.repeat(MAX_CONSTRAINT_LENGTH)}`;
    expect(parseConstraint(long)).toBeUndefined();
    expect(satisfiesConstraint('1.0.0', long)).toBe(false);
  });

  it('stays fast on inputs that make naive regular expressions backtrack', () => {
    const nasty = `${'1  '.repeat(300)}!`;
    expect(satisfiesConstraint('1.0.0', nasty)).toBe(false);
  });
});

describe('satisfiesConstraint operators', () => {
  it.each([
    // exact and bare versions
    ['=2.0.0', '2.0.0', true],
    ['=2.0.0', '1.2.3', false],
    ['2.0.0', '2.0.0', true],
    ['= 2.0', '2.0.0', true],
    ['=2.0', '2.0.1', true], // a partial version with = behaves like ~
    ['=2.0', '2.1.0', false],
    ['4.1', '4.1.0', true],
    ['v1.2.3', '1.2.3', true],
    ['1.2.3+build', '1.2.3', true],
    ['=0', '1.0.0', false],
    // not equal
    ['!=4.1.0', '4.1.0', false],
    ['!=4.1.0', '4.1.1', true],
    ['!=4.1', '4.1.0', false],
    ['!=4.1', '4.1.1', false],
    ['!=4.1', '5.1.0', true],
    ['!=4.x', '5.1.0', true],
    ['!=4.x', '4.1.0', false],
    ['!=4.1.x', '4.2.0', true],
    ['!=4.2.x', '4.2.3', false],
    ['!=4.1-alpha', '4.1.0', true],
    ['!=4.1-alpha', '4.1.0-alpha', false],
    // greater than
    ['>1.1', '4.1.0', true],
    ['>1.1', '1.1.0', false],
    ['>11', '11.1.0', false],
    ['>11.1', '11.1.1', false],
    ['>11.1', '11.2.1', true],
    ['>0', '1', true],
    ['>0', '0', false],
    ['>1.2.3-alpha.1', '1.2.3-alpha.2', true],
    // less than
    ['<11', '0.1.0', true],
    ['<11', '11.1.0', false],
    ['<1.1', '1.1.0', false],
    ['<1.x', '0.1.1', true],
    ['<1.x', '1.1.1', false],
    ['<1.1.x', '1.0.500', true],
    ['<1.1.x', '1.1.500', false],
    // greater or equal
    ['>=1.1', '1.1.0', true],
    ['>=1.1', '0.0.9', false],
    ['=> 1.2', '1.2.0', true],
    ['>=11.1', '11.0.2', false],
    // less or equal
    ['<=1.1', '1.1.1', true], // a partial bound covers the whole minor
    ['<=1.1', '1.2.3', false],
    ['=< 1.2', '1.2.9', true],
    ['<=11', '11.2.3', true],
    ['<=11', '12.2.3', false],
    ['<=1.x', '1.9.0', true],
    ['<=2.x', '3.0.0', false],
    ['<=4.5', '4.6.3', false],
    // tilde
    ['~1.2.3', '1.2.4', true],
    ['~1.2.3', '1.3.4', false],
    ['~1.2.3', '1.2.2', false],
    ['~1.2', '1.2.4', true],
    ['~1.2', '1.3.4', false],
    ['~1', '1.3.5', true],
    ['~1', '2.1.1', false],
    ['~>1.2', '1.2.9', true],
    ['~1.x', '1.4', true],
    ['~0.2.3', '0.2.5', true],
    ['~0.2.3', '0.3.5', false],
    ['~*', '2.1.1', true],
    ['~0.0.0', '1.2.3', true],
    // caret
    ['^1.2.3', '1.8.9', true],
    ['^1.2.3', '2.8.9', false],
    ['^1.2.3', '1.2.1', false],
    ['^1.2', '1.8.9', true],
    ['^1', '1.8.9', true],
    ['^1', '2.0.0', false],
    ['^1.x', '1.1.1', true],
    ['^2.x', '1.1.1', false],
    ['^0.2.3', '0.2.5', true],
    ['^0.2.3', '0.5.6', false],
    ['^0.2', '0.2.5', true],
    ['^0.0.3', '0.0.3', true],
    ['^0.0.3', '0.0.4', false],
    ['^0.0', '0.0.3', true],
    ['^0.0', '0.1.4', false],
    ['^0', '0.2.3', true],
    ['^0', '1.1.4', false],
    ['^0.0.0', '1.2.3', false],
  ])('%s with %s is %s', (constraint, version, expected) => {
    expect(satisfiesConstraint(version, constraint)).toBe(expected);
  });
});

describe('satisfiesConstraint wildcards and partial versions', () => {
  it.each([
    ['*', '1.0.0', true],
    ['*', '4.5.6', true],
    ['x', '0.0.1', true],
    ['2.*', '2.1.1', true],
    ['2.*', '3.4.5', false],
    ['2.x', '1.0.0', false],
    ['2.X', '2.9.9', true],
    ['2.1.*', '2.1.1', true],
    ['2.1.*', '2.2.1', false],
    ['4.1.x', '4.1.3', true],
    ['1.x', '1.4', true],
    ['2', '2.1.1', true],
    ['2', '3.4.5', false],
    ['2.1', '2.1.1', true],
    ['2.1', '2.2.1', false],
    ['0.x.x', '1.2.3', false],
    ['0.0.x', '1.2.3', false],
  ])('%s with %s is %s', (constraint, version, expected) => {
    expect(satisfiesConstraint(version, constraint)).toBe(expected);
  });
});

describe('satisfiesConstraint AND, OR and hyphen ranges', () => {
  it.each([
    ['>1.1, <2', '1.2.1', true],
    ['>1.1, <2', '1.1.1', false],
    ['>1.1 <2', '1.2.1', true],
    ['>1.1    <3', '4.3.2', false],
    ['> 1.1 , <     2', '1.5.0', true],
    ['>=1.1, <2, !=1.2.3', '1.2.3', false],
    ['>=1.1 <2 !=1.2.3', '1.2.4', true],
    ['>=1.1, <2, !=1.2.3 || > 3', '4.1.2', true],
    ['>=1.1, <2, !=1.2.3 || > 3', '3.1.2', false],
    ['>=1.1, <2, !=1.2.3 || >= 3', '3.0.0', true],
    ['>=1.1, <2, !=1.2.3 || > 3', '1.2.3', false],
    ['^1.0 || ^3.0', '3.4.0', true],
    ['^1.0 || ^3.0', '2.4.0', false],
    ['1.2 - 1.4.5', '1.2.0', true],
    ['1.2 - 1.4.5', '1.4.5', true],
    ['1.2 - 1.4.5', '1.4.6', false],
    ['1.2 - 1.4.5', '1.1.9', false],
    ['1.1 - 2', '2.9.9', true], // a partial upper bound covers its whole major
    ['1.1 - 2', '3.0.0', false],
    ['1.5.0 - 4.5', '3.7.0', true],
    ['v1.0.0 - v2.0.0', '1.5.0', true],
    ['3 - 4 || >= 6', '6.1.0', true],
    ['3 - 4 || >= 6', '5.0.0', false],
    ['1.0 - 2.0, !=1.5.0', '1.5.0', false],
    ['1.0 - 2.0 3.0 - 4.0', '1.5.0', false], // two ranges ANDed
    ['1.1-3', '4.3.2', false], // without spaces it is a pre-release, not a range
  ])('%s with %s is %s', (constraint, version, expected) => {
    expect(satisfiesConstraint(version, constraint)).toBe(expected);
  });
});

describe('satisfiesConstraint pre-release rules', () => {
  it.each([
    ['a pre-release fails a range without pre-releases', '>=1.1', '4.1.0-beta', false],
    ['a pre-release fails a wildcard', '*', '1.2.3-alpha.1', false],
    ['a pre-release fails a caret without pre-release', '^1.2.0', '1.2.1-alpha.1', false],
    ['a pre-release fails != without pre-release', '!=4.1', '5.1.0-alpha.1', false],
    ['a pre-release bound admits pre-releases', '^1.2.0-alpha.0', '1.2.1-alpha.1', true],
    ['pre-releases order within the range', '^1.2.0-alpha.2', '1.2.0-alpha.1', false],
    ['a pre-release wildcard admits pre-releases', '*-0', '1.2.3-alpha.1', true],
    ['>=0-0 admits low pre-releases', '>=0-0', '0.0.1-alpha', true],
    ['>0 rejects pre-releases of later versions', '>0', '0.0.1-alpha', false],
    ['<0-z admits an earlier pre-release', '<0-z', '0.0.0-alpha', true],
    ['~ with a pre-release spans patch versions', '~1.2.3-beta.2', '1.2.4-beta.2', true],
    ['~ with a pre-release stays in its minor', '~1.2.3-beta.2', '1.3.4-beta.2', false],
    ['^0 with a pre-release spans patch versions', '^0.2.3-beta.2', '0.2.4-beta.2', true],
    ['one pre-release comparator admits them for its AND group', '>=1.0.0-0 <2.0.0', '1.5.0-beta', true],
    ['the admission does not cross an OR', '>1.0.0-beta.1 <2 || >3', '3.5.0-alpha', false],
    ['the admitting group itself still applies', '>1.0.0-beta.1 <2 || >3', '1.5.0-rc.1', true],
    ['a release still satisfies a pre-release bound', '~1.1.1-beta', '1.1.1', true],
  ])('%s', (_name, constraint, version, expected) => {
    expect(satisfiesConstraint(version, constraint)).toBe(expected);
  });
});

describe('versions accepted in the lenient form', () => {
  it.each([
    ['a v prefix on the provider version', 'v1.2.3', '>=1.0', true],
    ['a partial provider version', '1.2', '~1.2.0', true],
    ['leading zeros are coerced', '01.02.03', '=1.2.3', true],
    ['build metadata is ignored', '1.2.3+abc', '1.2.3', true],
  ])('%s', (_name, version, constraint, expected) => {
    expect(satisfiesConstraint(version, constraint)).toBe(expected);
  });
});
