/**
 * Request bodies read as the Go registry's handlers read them (`c.ShouldBindJSON` into a generated
 * struct, through `encoding/json`): whatever the content type, the first JSON value of the body,
 * anything after it ignored; keys matched to fields exactly or else case-insensitively, unknown
 * keys and `null`s ignored; and the same error texts — a syntax error as Go's scanner words it, a
 * value of the wrong type as `json: cannot unmarshal number into Go struct field T.path of type
 * string`. The handler answers them as 400 `Invalid JSON payload: <text>`. The Go types come from
 * the request's TypeBox schema (`schemas/jobs.ts`).
 */
import type { Static, TSchema } from 'typebox';

/** The Go type of a field, as its errors name it. */
type GoType =
  | { kind: 'string'; name: string }
  | { kind: 'int'; name: 'int' | 'int64' }
  | { kind: 'float'; name: 'float32' | 'float64' }
  | { kind: 'any' }
  | { kind: 'object'; name: string }
  | { kind: 'intMap'; value: 'int64' }
  | { kind: 'slice'; name: string; element: GoStruct }
  | GoStruct;

interface GoStruct {
  kind: 'struct';
  /** `generated.CreateJobRequest`: errors name the struct by its last part. */
  name: string;
  fields: Record<string, GoType>;
}

/** The JSON Schema keywords of a TypeBox schema that tell its Go type. */
interface SchemaShape {
  type?: string;
  title?: string;
  format?: string;
  properties?: Record<string, SchemaShape>;
  patternProperties?: Record<string, SchemaShape>;
  items?: SchemaShape;
}

/**
 * The Go type the Go registry's generated struct has for `schema` (the OpenAPI document's types:
 * a titled object is a `generated.<title>` struct, a titled string a named string type, an
 * `int64`/`float` format the sized number, an untyped schema `interface{}`).
 */
function goTypeOf(schema: SchemaShape): GoType {
  switch (schema.type) {
    case 'string':
      return { kind: 'string', name: schema.title === undefined ? 'string' : `generated.${schema.title}` };
    case 'integer':
      return { kind: 'int', name: schema.format === 'int64' ? 'int64' : 'int' };
    case 'number':
      return { kind: 'float', name: schema.format === 'float' ? 'float32' : 'float64' };
    case 'array': {
      const element = goTypeOf(schema.items ?? {});
      if (element.kind !== 'struct') throw new Error('only arrays of objects are bound');
      return { kind: 'slice', name: `[]${element.name}`, element };
    }
    case 'object':
      if (schema.patternProperties !== undefined) {
        const [values] = Object.values(schema.patternProperties);
        return values?.type === 'integer'
          ? { kind: 'intMap', value: 'int64' }
          : { kind: 'object', name: 'map[string]interface {}' };
      }
      if (schema.title === undefined) return { kind: 'object', name: 'map[string]interface {}' };
      return {
        kind: 'struct',
        name: `generated.${schema.title}`,
        fields: Object.fromEntries(
          Object.entries(schema.properties ?? {}).map(([key, field]) => [key, goTypeOf(field)]),
        ),
      };
    default:
      return { kind: 'any' };
  }
}

const structs = new WeakMap<object, GoStruct>();

function goStructOf(schema: TSchema): GoStruct {
  let struct = structs.get(schema);
  if (struct === undefined) {
    const type = goTypeOf(schema as SchemaShape);
    if (type.kind !== 'struct') throw new Error('a request body is a titled object schema');
    struct = type;
    structs.set(schema, struct);
  }
  return struct;
}

class SyntaxFailure extends Error {}

function quoteChar(char: string): string {
  if (char === "'") return "'\\''";
  if (char === '"') return `'"'`;
  return `'${JSON.stringify(char).slice(1, -1)}'`;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/**
 * Go's scanner over the first JSON value of `text`: the index after that value, or a
 * {@link SyntaxFailure} with Go's words.
 */
class FirstValueScanner {
  private at = 0;
  constructor(private readonly text: string) {}

  scan(): number {
    this.skipSpace();
    if (this.at >= this.text.length) throw new SyntaxFailure('EOF');
    this.value('looking for beginning of value');
    return this.at;
  }

  private skipSpace(): void {
    while (this.at < this.text.length && WHITESPACE.has(this.text[this.at]!)) this.at++;
  }

  private peek(): string {
    if (this.at >= this.text.length) throw new SyntaxFailure('unexpected EOF');
    return this.text[this.at]!;
  }

  private fail(context: string): never {
    throw new SyntaxFailure(`invalid character ${quoteChar(this.peek())} ${context}`);
  }

  private value(context: string): void {
    const char = this.peek();
    if (char === '{') this.object();
    else if (char === '[') this.array();
    else if (char === '"') this.string();
    else if (char === '-' || (char >= '0' && char <= '9')) this.number();
    else {
      const literal = ['true', 'false', 'null'].find((word) => word[0] === char);
      if (literal === undefined) this.fail(context);
      this.literal(literal);
    }
  }

  private literal(word: string): void {
    this.at++;
    for (let i = 1; i < word.length; i++) {
      if (this.peek() !== word[i]) this.fail(`in literal ${word} (expecting ${quoteChar(word[i]!)})`);
      this.at++;
    }
  }

  private number(): void {
    if (this.peek() === '-') {
      this.at++;
      if (!/[0-9]/.test(this.peek())) this.fail('in numeric literal');
    }
    if (this.peek() === '0') this.at++;
    else this.digits();
    if (this.at < this.text.length && this.text[this.at] === '.') {
      this.at++;
      if (!/[0-9]/.test(this.peek())) this.fail('after decimal point in numeric literal');
      this.digits();
    }
    if (this.at < this.text.length && /[eE]/.test(this.text[this.at]!)) {
      this.at++;
      if (/[+-]/.test(this.peek())) this.at++;
      if (!/[0-9]/.test(this.peek())) this.fail('in exponent of numeric literal');
      this.digits();
    }
  }

  private digits(): void {
    while (this.at < this.text.length && /[0-9]/.test(this.text[this.at]!)) this.at++;
  }

  private string(): void {
    this.at++;
    for (;;) {
      const char = this.peek();
      if (char === '"') {
        this.at++;
        return;
      }
      if (char < ' ') this.fail('in string literal');
      if (char === '\\') {
        this.at++;
        const escaped = this.peek();
        if (escaped === 'u') {
          this.at++;
          for (let i = 0; i < 4; i++) {
            if (!/[0-9a-fA-F]/.test(this.peek())) this.fail('in \\u hexadecimal character escape');
            this.at++;
          }
          continue;
        }
        if (!'"\\/bfnrt'.includes(escaped)) this.fail('in string escape code');
      }
      this.at++;
    }
  }

  private object(): void {
    this.at++;
    this.skipSpace();
    if (this.peek() === '}') {
      this.at++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.peek() !== '"') this.fail('looking for beginning of object key string');
      this.string();
      this.skipSpace();
      if (this.peek() !== ':') this.fail('after object key');
      this.at++;
      this.skipSpace();
      this.value('looking for beginning of value');
      this.skipSpace();
      const next = this.peek();
      this.at++;
      if (next === '}') return;
      if (next !== ',') {
        this.at--;
        this.fail('after object key:value pair');
      }
    }
  }

  private array(): void {
    this.at++;
    this.skipSpace();
    if (this.peek() === ']') {
      this.at++;
      return;
    }
    for (;;) {
      this.skipSpace();
      this.value('looking for beginning of value');
      this.skipSpace();
      const next = this.peek();
      this.at++;
      if (next === ']') return;
      if (next !== ',') {
        this.at--;
        this.fail('after array element');
      }
    }
  }
}

/** A number with the text it was written as (Go refuses `1.0` for an int, and says so). */
class NumberText {
  constructor(
    readonly value: number,
    readonly source: string,
  ) {}
}

function jsonKind(value: unknown): string {
  if (value instanceof NumberText) return 'number';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value === 'boolean' ? 'bool' : 'string';
}

/** Back to plain JSON values (numbers as float64, as Go reads them into `interface{}`). */
function plain(value: unknown): unknown {
  if (value instanceof NumberText) return value.value;
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  }
  return value;
}

interface Place {
  /** The innermost struct, by its last name. */
  struct: string;
  path: string[];
}

class TypeFailure extends Error {}

function typeError(value: unknown, type: string, place: Place, withText = false): TypeFailure {
  const what = withText && value instanceof NumberText ? `number ${value.source}` : jsonKind(value);
  const target =
    place.path.length === 0
      ? `Go value of type ${type}`
      : `Go struct field ${place.struct}.${place.path.join('.')} of type ${type}`;
  return new TypeFailure(`json: cannot unmarshal ${what} into ${target}`);
}

const INT64_MAX = 9223372036854775807n;

function integer(value: NumberText, type: string, place: Place): number {
  if (!/^-?\d+$/.test(value.source)) throw typeError(value, type, place, true);
  const big = BigInt(value.source);
  if (big > INT64_MAX || big < -INT64_MAX - 1n) throw typeError(value, type, place, true);
  return Number(big);
}

function bindValue(value: unknown, type: GoType, place: Place): unknown {
  if (value === null) return undefined;
  switch (type.kind) {
    case 'any':
      return plain(value);
    case 'string':
      if (typeof value !== 'string') throw typeError(value, type.name, place);
      return value;
    case 'int':
      if (!(value instanceof NumberText)) throw typeError(value, type.name, place);
      return integer(value, type.name, place);
    case 'float':
      if (!(value instanceof NumberText)) throw typeError(value, type.name, place);
      if (type.name === 'float32' && Math.abs(value.value) > 3.4028234663852886e38) {
        throw typeError(value, type.name, place, true);
      }
      return value.value;
    case 'object':
      if (jsonKind(value) !== 'object') throw typeError(value, type.name, place);
      return plain(value);
    case 'intMap': {
      if (jsonKind(value) !== 'object') throw typeError(value, 'map[string]int64', place);
      const bound: Record<string, number> = {};
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (item === null) continue;
        if (!(item instanceof NumberText)) throw typeError(item, type.value, place);
        bound[key] = integer(item, type.value, place);
      }
      return bound;
    }
    case 'slice': {
      if (!Array.isArray(value)) throw typeError(value, type.name, place);
      return value.map((item) => (item === null ? {} : bindValue(item, type.element, place)));
    }
    case 'struct':
      return bindStruct(value, type, place);
  }
}

function bindStruct(value: unknown, type: GoStruct, place: Place): Record<string, unknown> {
  const structName = type.name.slice(type.name.lastIndexOf('.') + 1);
  if (jsonKind(value) !== 'object') throw typeError(value, type.name, place);
  const bound: Record<string, unknown> = {};
  const names = Object.keys(type.fields);
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const field =
      names.find((name) => name === key) ?? names.find((name) => name.toLowerCase() === key.toLowerCase());
    if (field === undefined) continue;
    const fieldValue = bindValue(item, type.fields[field]!, {
      struct: structName,
      path: [...place.path, field],
    });
    if (fieldValue !== undefined) bound[field] = fieldValue;
  }
  return bound;
}

/** Reads `body` (the raw request body) into `type` as the Go registry would. */
export function bindGoJson<T extends TSchema>(
  body: Buffer | undefined,
  schema: T,
): { value: Static<T> } | { error: string } {
  const type = goStructOf(schema);
  // Go reads bytes; a body that is not UTF-8 only reaches here through strings, where it becomes U+FFFD.
  const text = (body ?? Buffer.alloc(0)).toString('utf8');
  let end: number;
  try {
    end = new FirstValueScanner(text).scan();
  } catch (error) {
    if (error instanceof SyntaxFailure) return { error: error.message };
    throw error;
  }
  const parsed: unknown = JSON.parse(text.slice(0, end), (_key, value, context?: { source?: string }) =>
    typeof value === 'number' ? new NumberText(value, context?.source ?? String(value)) : value,
  );
  try {
    // A JSON null leaves the struct at its zero value.
    const bound = parsed === null ? {} : bindStruct(parsed, type, { struct: '', path: [] });
    // Bound to the schema's Go types: the fields present have the schema's types.
    return { value: bound as Static<T> };
  } catch (error) {
    if (error instanceof TypeFailure) return { error: error.message };
    throw error;
  }
}
