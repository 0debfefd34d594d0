import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { IsArray, IsBoolean, IsOptional, IsString, validateSync } from 'class-validator';
import { MaxJsonSize, OptionalNotNull, QueryBoolean, Trim, TrimEach } from './field-rules';

class Sample {
  @OptionalNotNull() @IsString() name?: string;
  @IsOptional() @Trim() @IsString() title?: string;
  @IsOptional() @TrimEach() @IsArray() tags?: unknown[];
  @IsOptional() @QueryBoolean() @IsBoolean() flag?: boolean;
  @MaxJsonSize(16) doc?: unknown;
}

const load = (plain: object) => plainToInstance(Sample, plain);
const failing = (plain: object) => validateSync(load(plain)).map((e) => e.property);

describe('field rules', () => {
  it('OptionalNotNull lets a field be left out but refuses null', () => {
    expect(failing({})).toEqual([]);
    expect(failing({ name: 'x' })).toEqual([]);
    expect(failing({ name: null })).toEqual(['name']);
  });

  it('Trim and TrimEach trim strings and leave other values to the validators', () => {
    expect(load({ title: '  a b ' }).title).toBe('a b');
    expect(load({ title: 7 }).title).toBe(7);
    expect(failing({ title: 7 })).toEqual(['title']);
    expect(load({ tags: [' a', 'b ', 3] }).tags).toEqual(['a', 'b', 3]);
    expect(load({ tags: ' a ' }).tags).toBe(' a ');
  });

  it('QueryBoolean reads "true"/"false" and leaves anything else to fail @IsBoolean', () => {
    expect(load({ flag: 'true' }).flag).toBe(true);
    expect(load({ flag: 'false' }).flag).toBe(false);
    expect(load({ flag: 'yes' }).flag).toBe('yes');
    expect(failing({ flag: 'yes' })).toEqual(['flag']);
    expect(failing({ flag: '1' })).toEqual(['flag']);
  });

  it('MaxJsonSize counts the serialized UTF-8 bytes, nesting included', () => {
    expect(failing({ doc: { a: 'x'.repeat(8) } })).toEqual([]); // {"a":"xxxxxxxx"} = 16 bytes
    expect(failing({ doc: { a: 'x'.repeat(9) } })).toEqual(['doc']);
    expect(failing({ doc: { a: 'é'.repeat(5) } })).toEqual(['doc']); // 5 characters, 10 bytes
    expect(failing({ doc: [[[[[[[['deep and long']]]]]]]] })).toEqual(['doc']);
    const [error] = validateSync(load({ doc: 'x'.repeat(20) }));
    expect(Object.values(error.constraints ?? {})).toEqual([
      'doc must serialize to at most 16 bytes of JSON',
    ]);
  });
});
