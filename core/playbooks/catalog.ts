import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogSchema, type Catalog } from './schema';

export const DEFAULT_CATALOG_PATH = join(__dirname, 'default-catalog.json');

export class CatalogError extends Error {
  override name = 'CatalogError';
}

/** Reads and validates a catalog; errors name the file and the JSON path that is wrong. */
export function loadCatalog(path: string = DEFAULT_CATALOG_PATH): Catalog {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CatalogError(`playbook catalog ${path}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = catalogSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  - ${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
    );
    throw new CatalogError(`playbook catalog ${path} is invalid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
