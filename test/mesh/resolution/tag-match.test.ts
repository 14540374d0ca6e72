import { describe, expect, it } from 'vitest';
import { scoreTags, type TagSpec } from '../../../src/mesh/resolution/tag-match.js';

const PROVIDER = ['system', 'time', 'python', 'legacy'] as const;

describe('scoreTags', () => {
  it.each<[string, TagSpec | undefined, number | undefined]>([
    ['no tag spec scores zero', undefined, 0],
    ['an empty tag spec scores zero', [], 0],
    ['a present required tag scores 5', ['system'], 5],
    ['two present required tags score 10', ['system', 'time'], 10],
    ['a missing required tag excludes', ['gpu'], undefined],
    ['required tags compare case-sensitively', ['System'], undefined],
    ['a present preferred tag scores 10', ['+time'], 10],
    ['a missing preferred tag scores 0 without excluding', ['+gpu'], 0],
    ['an absent excluded tag scores 0', ['-gpu'], 0],
    ['a present excluded tag excludes', ['-legacy'], undefined],
    ['required, preferred and excluded add up', ['system', '+time', '-gpu'], 15],
    ['an exclusion wins over matching tags', ['system', '+time', '-legacy'], undefined],
    ['empty names are ignored', ['', '+', '-'], 0],
    ['an OR group matched by a plain member scores 5', [['python', 'typescript']], 5],
    ['an OR group with no member present excludes', [['java', 'typescript']], undefined],
    ['an OR group matched by a + member scores 10', [['+python', 'typescript']], 10],
    ['an OR group matched only by a plain member scores 5 despite a + member', [['+java', 'python']], 5],
    ['an OR group keeps the higher of plain and + matches', [['python', '+time']], 10],
    ['a present - member of an OR group excludes', [['python', '-legacy']], undefined],
    ['an absent - member does not count as the group match', [['java', '-gpu']], undefined],
    ['a group of only exclusions never matches', [['-gpu']], undefined],
    ['an empty OR group is skipped', [[]], 0],
    ['a group holding only an empty name never matches', [['']], undefined],
    ['plain tags and several OR groups add up', ['system', ['python', 'go'], ['+time', 'date']], 20],
    ['a required tag outside a failing OR group does not save it', ['system', ['java', 'go']], undefined],
  ])('%s', (_name, spec, expected) => {
    expect(scoreTags(PROVIDER, spec)).toBe(expected);
  });

  it('matches the upstream example where an OR group is unmet', () => {
    expect(scoreTags(['llm'], ['llm', ['python', 'typescript']])).toBeUndefined();
  });

  it('ignores non-string members of an OR group that came from JSON', () => {
    const spec = JSON.parse('[["python", 5, null]]') as TagSpec;
    expect(scoreTags(PROVIDER, spec)).toBe(5);
  });
});
