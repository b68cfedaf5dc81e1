import type { z } from 'zod';
import { editDistance } from '../util/edit-distance.js';

/**
 * What to say about a misspelt configuration key: the nearest valid key at the same place, and the
 * list of valid keys there, read from the schema itself so the message can never go stale.
 */
export function unknownKeyMessage(schema: z.ZodType, at: PropertyKey[], key: string): string {
  const valid = validKeysAt(schema, at);
  const prefix = at.length ? `${at.map(String).join('.')}.` : '';
  const nearest = valid && nearestKey(key, valid);
  const suggestion = nearest ? ` (did you mean "${prefix}${nearest}"?)` : '';
  const list = valid?.length ? `; valid keys${prefix ? ` in "${prefix.slice(0, -1)}"` : ''}: ${valid.join(', ')}` : '';
  return `unknown key "${prefix}${key}"${suggestion}${list}`;
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
};

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The keys of the object schema found by following `at` (record keys and array indexes included). */
export function validKeysAt(schema: z.ZodType, at: PropertyKey[]): string[] | undefined {
  const object = objectAt(schema, at);
  return object ? Object.keys(defOf(object).shape!) : undefined;
}

function objectAt(schema: z.ZodType, at: PropertyKey[]): z.ZodType | undefined {
  const def = defOf(schema);
  switch (def.type) {
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
    case 'readonly':
      return objectAt(def.innerType!, at);
    case 'pipe':
      return objectAt(def.in!, at);
    case 'union':
      for (const option of def.options!) {
        const found = objectAt(option, at);
        if (found) return found;
      }
      return undefined;
    case 'object':
      if (!at.length) return schema;
      return def.shape![String(at[0])] ? objectAt(def.shape![String(at[0])]!, at.slice(1)) : undefined;
    case 'record':
      return at.length ? objectAt(def.valueType!, at.slice(1)) : undefined;
    case 'array':
      return at.length ? objectAt(def.element!, at.slice(1)) : undefined;
    default:
      return undefined;
  }
}

/**
 * The valid key closest to `key` by edit distance (case differences cost nothing extra beyond one
 * edit), if it is close enough to be the likely intent: at most a third of the key's length, min 1.
 */
export function nearestKey(key: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0.5 : editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}
