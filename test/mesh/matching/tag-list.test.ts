import { describe, expect, it } from 'vitest';
import { hasAnyTag, splitTagList } from '../../../src/mesh/matching/tag-list.js';

describe('splitTagList', () => {
  it.each([
    { text: 'io', expected: ['io'] },
    { text: 'io,fs', expected: ['io', 'fs'] },
    { text: 'io, fs', expected: ['io', ' fs'] },
    { text: 'a,,b', expected: ['a', '', 'b'] },
    { text: 'a,', expected: ['a', ''] },
    { text: ',', expected: ['', ''] },
    { text: '', expected: [''] },
    { text: ' io ', expected: [' io '] },
  ])('splits $text on commas without trimming or dropping empty pieces', ({ text, expected }) => {
    expect(splitTagList(text)).toEqual(expected);
  });
});

describe('hasAnyTag', () => {
  it.each([
    { tags: ['io', 'fs'], wanted: ['fs'], expected: true },
    { tags: ['io', 'fs'], wanted: ['net', 'io'], expected: true },
    { tags: ['io', 'fs'], wanted: ['net'], expected: false },
    { tags: ['fs'], wanted: splitTagList('io, fs'), expected: false },
    { tags: ['IO'], wanted: ['io'], expected: false },
    { tags: [''], wanted: splitTagList('a,,b'), expected: true },
    { tags: [], wanted: ['io'], expected: false },
    { tags: ['io'], wanted: [], expected: false },
  ])('says $expected for tags $tags and wanted $wanted', ({ tags, wanted, expected }) => {
    expect(hasAnyTag(tags, wanted)).toBe(expected);
  });
});
