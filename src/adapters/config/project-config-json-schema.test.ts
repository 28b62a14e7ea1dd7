import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../core/duration.js';
import { CONFIG_SCHEMA_ID, CONFIG_SCHEMA_PATH, projectConfigJsonSchema, projectConfigJsonSchemaText } from './project-config-json-schema.js';
import { projectConfigFromFile } from './load-project-config.js';
import { DURATION_PATTERN } from './schema-fields.js';

interface JsonSchemaNode {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  additionalProperties?: boolean;
  pattern?: string;
}

describe('the published JSON Schema', () => {
  it('is committed as generated from the zod schema (run `npm run build` to regenerate)', () => {
    const committed = readFileSync(new URL(`../../../${CONFIG_SCHEMA_PATH}`, import.meta.url), 'utf8');
    expect(committed).toBe(projectConfigJsonSchemaText());
  });

  it('is draft 2020-12 with an id, a title and a description', () => {
    const schema = projectConfigJsonSchema();
    expect(schema).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', $id: CONFIG_SCHEMA_ID, title: 'baton.config.json', type: 'object', additionalProperties: false });
    expect(String(schema.description)).toMatch(/runner/);
  });

  it('describes every field, closes every object, and uses patterns in the JSON Schema dialect', () => {
    const undescribed: string[] = [];
    const visit = (node: JsonSchemaNode, path: string): void => {
      // A map (agent name to a number) says what its values are; every other object is closed.
      if (node.type === 'object' && node.properties !== undefined) expect(node.additionalProperties, path).toBe(false);
      else if (node.type === 'object') expect(node.additionalProperties, path).toMatchObject({ type: 'integer' });
      // JSON Schema patterns are ECMA-262 with the `u` flag and no others.
      if (node.pattern !== undefined) expect(() => new RegExp(node.pattern!, 'u'), path).not.toThrow();
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (!child.description) undescribed.push(`${path}.${key}`);
        visit(child, `${path}.${key}`);
      }
      if (node.items) visit(node.items, `${path}[]`);
      for (const option of node.anyOf ?? []) visit(option, path);
    };
    visit(projectConfigJsonSchema() as JsonSchemaNode, '');
    expect(undescribed).toEqual([]);
  });

  it('lets a config name its schema with $schema', () => {
    const text = `{ "$schema": "./node_modules/baton-agents/${CONFIG_SCHEMA_PATH}", "requireReport": true }`;
    expect(projectConfigFromFile(text, 'baton.config.json').requireReport).toBe(true);
    expect(projectConfigJsonSchema()).toHaveProperty(['properties', '$schema', 'type'], 'string');
  });

  it('gives editors a duration pattern that matches every duration baton accepts', () => {
    const pattern = new RegExp(DURATION_PATTERN, 'u');
    const accepts = (text: string): boolean => {
      try {
        return parseDurationMs(text, 'duration') > 0;
      } catch {
        return false;
      }
    };
    const samples = ['90s', '30m', '2h', '1d', '500ms', '45', '1.5h', ' 10M ', '2MS', '0.5s', '0s', '366d', '10 m', '1w', '-5m', 'm', '', '1e3s', '1.s', '.5s', 's1'];
    for (const sample of samples) {
      // The pattern cannot express the range (above 0, at most 365d): those are the only differences.
      const inRange = !['0s', '366d'].includes(sample);
      expect(pattern.test(sample) && inRange, sample).toBe(accepts(sample));
    }
  });
});
