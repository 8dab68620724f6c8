import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/searchAttributes';

const T = temporal.api.enums.v1.IndexedValueType;
const INDEXED_TYPE: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  TEXT: T.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: T.INDEXED_VALUE_TYPE_KEYWORD,
  INT: T.INDEXED_VALUE_TYPE_INT,
  DOUBLE: T.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: T.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: T.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: T.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * Registers every Homeostat search attribute that the namespace lacks. Check-then-add, so it is
 * idempotent; needed because `start-dev --search-attribute` is ignored on an existing SQLite db.
 * Returns the names it added.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([
    ...Object.keys(existing.customAttributes ?? {}),
    ...Object.keys(existing.systemAttributes ?? {}),
  ]);
  const missing = ALL_SEARCH_ATTRIBUTES.filter((k) => !known.has(k.name));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED_TYPE[k.type]])),
    });
  } catch (err) {
    const names = missing.map((k) => `${k.name}=${k.type}`).join(', ');
    throw new Error(
      `could not register search attributes ${names} in namespace ${namespace} (${(err as Error).message}). ` +
        'Register them once as an operator (`temporal operator search-attribute create --name N --type Keyword`, ' +
        'or `tcld namespace search-attributes add` on Temporal Cloud).',
      { cause: err },
    );
  }
  return missing.map((k) => k.name);
}
