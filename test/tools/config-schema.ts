// Writes config/oncebus.schema.json, the JSON Schema of an endpoint settings file, from the valibot schema
// the loader checks with (src/config/endpoint-schema.ts): npm run config-schema. A test keeps it current.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toJsonSchema } from '@valibot/to-json-schema';
import { endpointSettingsSchema } from '../../src/config/endpoint-schema.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../../../config/oncebus.schema.json', import.meta.url));

export function configJsonSchema(): string {
  const schema = toJsonSchema(endpointSettingsSchema, { errorMode: 'throw' });
  const described = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    ...schema,
    title: 'oncebus endpoint settings',
    description: 'An endpoint settings file for loadEndpointSettings; classes (handlers, message types) come from code.',
  };
  return `${JSON.stringify(described, null, 2)}\n`;
}

if (process.argv[1]?.endsWith('config-schema.js')) writeFileSync(SCHEMA_FILE, configJsonSchema());
