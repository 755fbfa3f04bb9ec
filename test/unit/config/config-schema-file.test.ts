import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEndpointSettings } from '../../../src/config/load-endpoint-options.js';
import { configJsonSchema, SCHEMA_FILE } from '../../tools/config-schema.js';

const CONFIG = fileURLToPath(new URL('../../../../config/', import.meta.url));

describe('config/oncebus.schema.json: the JSON Schema editors check settings files with', () => {
  it('is generated from the schema the loader checks with (run npm run config-schema after changing it)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).to.equal(configJsonSchema());
  });

  it('is referenced by every settings file in config/, and each of them loads', () => {
    const files = readdirSync(CONFIG).filter((f) => f.endsWith('.json') && f !== 'oncebus.schema.json');
    expect(files).not.to.have.length(0);
    for (const file of files) {
      expect(JSON.parse(readFileSync(join(CONFIG, file), 'utf8')).$schema, file).to.equal('./oncebus.schema.json');
      expect(() => loadEndpointSettings(join(CONFIG, file), {}), file).not.to.throw();
    }
  });

  it('refuses unknown settings and bad values as the loader does', () => {
    const schema = JSON.parse(configJsonSchema()) as { additionalProperties: boolean; properties: { inbox: { additionalProperties: boolean; required: string[] } } };
    expect(schema.additionalProperties).to.equal(false);
    expect(schema.properties.inbox.additionalProperties).to.equal(false);
    expect(schema.properties.inbox.required).to.deep.equal(['workQueueUri', 'errorQueueUri']);
  });
});
