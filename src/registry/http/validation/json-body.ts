import { MeshError } from '../../../shared/errors.js';
import { RequestValidationError } from './request-validation-error.js';

/** Deeper bodies are refused before parsing (Python's own parser gives up near 1,000 levels). */
export const MAX_JSON_DEPTH = 512;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** FastAPI's answer when a body cannot be decoded at all (non-UTF-8 bytes, recursion limit). */
export function bodyParsingError(cause?: unknown): MeshError {
  return new MeshError('BODY_PARSE_FAILED', 'There was an error parsing the body', {
    statusCode: 400,
    cause,
  });
}

/** True when nesting of arrays/objects exceeds `limit` (strings are skipped). Linear, no recursion. */
export function exceedsDepth(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** V8's JSON.parse messages mapped to the Python `json` module's, best effort (spec §12.14). */
function pythonJsonMessage(v8Message: string): string {
  if (/property name/i.test(v8Message)) return 'Expecting property name enclosed in double quotes';
  if (/after property name|Expected ':'/i.test(v8Message)) return "Expecting ':' delimiter";
  if (/after (property value|array element)|Expected ','/i.test(v8Message)) return "Expecting ',' delimiter";
  if (/non-whitespace character after JSON/i.test(v8Message)) return 'Extra data';
  if (/Unterminated string/i.test(v8Message)) return 'Unterminated string starting at';
  if (/Bad control character/i.test(v8Message)) return 'Invalid control character at';
  if (/escape/i.test(v8Message)) return 'Invalid \\escape';
  return 'Expecting value';
}

function errorOffset(v8Message: string, text: string): number {
  const match = /position (\d+)/.exec(v8Message);
  if (match) return Number(match[1]);
  // "Unexpected end of JSON input": Python reports where the missing value should start.
  return text.length;
}

/**
 * Decodes and parses a JSON body as FastAPI does: bytes must be UTF-8 (no replacement
 * characters), malformed JSON becomes a 422 `json_invalid` item with the offset of the error.
 */
export function parseJsonBody(buffer: Buffer): unknown {
  if (buffer.length === 0) return undefined;
  let text: string;
  try {
    text = utf8.decode(buffer);
  } catch (error) {
    throw bodyParsingError(error);
  }
  if (exceedsDepth(text, MAX_JSON_DEPTH)) throw bodyParsingError();
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    throw new RequestValidationError([
      {
        type: 'json_invalid',
        loc: ['body', errorOffset(message, text)],
        msg: 'JSON decode error',
        input: {},
        ctx: { error: pythonJsonMessage(message) },
      },
    ]);
  }
}

/** Media types FastAPI 0.115 parses as JSON: none given, `application/json`, `application/*+json`. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined || header.trim() === '') return true;
  const media = header.split(';', 1)[0]!.trim().toLowerCase();
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
}
