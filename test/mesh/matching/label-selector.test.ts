import { describe, expect, it } from 'vitest';
import {
  LabelSelectorError,
  matchesLabels,
  parseLabelSelector,
} from '../../../src/mesh/matching/label-selector.js';

describe('parseLabelSelector', () => {
  it.each([
    { selector: 'env=prod', expected: [['env', 'prod']] },
    {
      selector: 'env=prod, team = platform',
      expected: [
        ['env', 'prod'],
        ['team', 'platform'],
      ],
    },
    { selector: 'a==b', expected: [['a', '=b']] },
    { selector: '=x', expected: [['', 'x']] },
    { selector: 'k=', expected: [['k', '']] },
    { selector: '=', expected: [['', '']] },
    { selector: 'url=http://h/?a=b', expected: [['url', 'http://h/?a=b']] },
    { selector: ' key\u3000=\u0085value\t', expected: [['key', 'value']] },
    { selector: 'k=\ufeffv', expected: [['k', '\ufeffv']] },
    { selector: 'Env=Prod', expected: [['Env', 'Prod']] },
    {
      selector: 'a=1,b=2,a=3',
      expected: [
        ['a', '3'],
        ['b', '2'],
      ],
    },
  ])('parses $selector into its pairs', ({ selector, expected }) => {
    expect([...parseLabelSelector(selector)]).toEqual(expected);
  });

  it.each([
    { selector: 'env', piece: 'env' },
    { selector: 'env=prod,', piece: '' },
    { selector: ',env=prod', piece: '' },
    { selector: 'env=prod,,team=x', piece: '' },
    { selector: 'env=prod, team', piece: ' team' },
    { selector: 'env!prod', piece: 'env!prod' },
    { selector: '', piece: '' },
    { selector: 'a, b=c', piece: 'a' },
  ])('rejects $selector naming the untrimmed piece $piece', ({ selector, piece }) => {
    let thrown: unknown;
    try {
      parseLabelSelector(selector);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LabelSelectorError);
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as LabelSelectorError).piece).toBe(piece);
    expect((thrown as LabelSelectorError).message).toBe(
      `Invalid label selector format: ${piece}. Expected 'key=value'`,
    );
  });

  it('uses the exact message for a trailing comma', () => {
    expect(() => parseLabelSelector('env=prod,')).toThrow(new LabelSelectorError(''));
    expect(new LabelSelectorError('').message).toBe("Invalid label selector format: . Expected 'key=value'");
  });
});

describe('matchesLabels', () => {
  const labels: Record<string, string> = { env: 'prod', team: 'platform', empty: '' };

  it.each([
    { selector: 'env=prod', expected: true },
    { selector: 'env=prod,team=platform', expected: true },
    { selector: 'team = platform , env = prod', expected: true },
    { selector: 'env=Prod', expected: false },
    { selector: 'env=prod,team=core', expected: false },
    { selector: 'zone=eu', expected: false },
    { selector: 'zone=', expected: false },
    { selector: 'empty=', expected: true },
    { selector: '=x', expected: false },
    { selector: 'env=staging,env=prod', expected: true },
    { selector: 'env=prod,env=staging', expected: false },
    { selector: 'constructor=x', expected: false },
    { selector: 'toString=', expected: false },
  ])('says $expected for selector $selector', ({ selector, expected }) => {
    expect(matchesLabels(labels, parseLabelSelector(selector))).toBe(expected);
  });

  it('matches every agent with an empty selector', () => {
    expect(matchesLabels({}, new Map())).toBe(true);
    expect(matchesLabels(labels, new Map())).toBe(true);
  });

  it('never matches a key the agent does not have, even with an empty value', () => {
    expect(matchesLabels({}, new Map([['env', '']]))).toBe(false);
  });

  it('ignores inherited properties of the labels object', () => {
    const inherited = Object.create({ env: 'prod' }) as Record<string, string>;
    expect(matchesLabels(inherited, new Map([['env', 'prod']]))).toBe(false);
  });
});
