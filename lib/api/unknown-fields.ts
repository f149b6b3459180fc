import { phrase } from '@/lib/i18n/text';
import type { z } from 'zod';
import type { FieldErrors } from '@/lib/errors';

type Definition = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
};

const definitionOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Definition } })._zod.def;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The object schemas a value may be read by, through wrappers (optional, default, pipe, union…). */
function objectShapes(schema: z.ZodType): Record<string, z.ZodType>[] {
  const definition = definitionOf(schema);
  switch (definition.type) {
    case 'object':
      return [definition.shape!];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return objectShapes(definition.innerType!);
    case 'pipe':
      return objectShapes(definition.in!);
    case 'union':
      return definition.options!.flatMap(objectShapes);
    case 'intersection':
      return [...objectShapes(definition.left!), ...objectShapes(definition.right!)];
    default:
      return [];
  }
}

function elementSchema(schema: z.ZodType): z.ZodType | null {
  const definition = definitionOf(schema);
  if (definition.type === 'array') return definition.element!;
  if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(definition.type)) return elementSchema(definition.innerType!);
  if (definition.type === 'pipe') return elementSchema(definition.in!);
  return null;
}

/**
 * Fields of a request body that its schema does not name, by dotted path (`advanced.pollingMinutes`),
 * so that an API client's typo is refused instead of silently ignored. Only own keys count: a
 * `__proto__` or `constructor` key is as unknown as any other.
 */
export function unknownFields(schema: z.ZodType, value: unknown, prefix = ''): FieldErrors {
  const found: FieldErrors = {};
  if (Array.isArray(value)) {
    const element = elementSchema(schema);
    if (element) value.forEach((item, index) => Object.assign(found, unknownFields(element, item, `${prefix}${prefix ? '.' : ''}${index}`)));
    return found;
  }
  if (!isPlainObject(value)) return found;
  const shapes = objectShapes(schema);
  if (shapes.length === 0) return found;
  for (const key of Object.keys(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const known = shapes.filter((shape) => Object.hasOwn(shape, key));
    if (known.length === 0) {
      found[path] = [phrase('validation.common.unknownField')];
      continue;
    }
    Object.assign(found, unknownFields(known[0]![key]!, value[key], path));
  }
  return found;
}
