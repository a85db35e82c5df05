#!/usr/bin/env node
// Decodes and encodes Confluent-framed Avro records through a schema registry with @kafkajs/confluent-schema-registry,
// an independent client (JavaScript, avsc underneath). Used by Sieve's tests against its embedded registry.
//
//   node registry-client.mjs decode <registry-url> <file>     one hex record per line in, one JSON value per line out
//   node registry-client.mjs encode <registry-url> <subject> <schema.avsc> <json-value>
//                                                             registers the schema, prints the framed record as hex
import { readFileSync } from 'node:fs';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

const [command, url, ...rest] = process.argv.slice(2);
if (!command || !url) {
  console.error('usage: registry-client.mjs decode <url> <file> | encode <url> <subject> <schema.avsc> <json>');
  process.exit(2);
}

const registry = new SchemaRegistry({ host: url });
const toJson = (value) => JSON.stringify(value, (_, v) => {
  if (typeof v === 'bigint') return v.toString();
  if (v && v.type === 'Buffer' && Array.isArray(v.data)) return Buffer.from(v.data).toString('hex');
  return v;
});

try {
  if (command === 'decode') {
    const lines = readFileSync(rest[0], 'utf8').split('\n').filter((l) => l.length > 0);
    for (const line of lines) {
      const value = await registry.decode(Buffer.from(line, 'hex'));
      console.log(toJson(value));
    }
  } else if (command === 'encode') {
    const [subject, schemaFile, json] = rest;
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: readFileSync(schemaFile, 'utf8') }, { subject });
    const framed = await registry.encode(id, JSON.parse(json));
    console.log(framed.toString('hex'));
  } else {
    console.error('unknown command ' + command);
    process.exit(2);
  }
} catch (e) {
  // The library's messages name schemas and ids, not values.
  console.error((e && e.name) + ': ' + (e && e.message));
  process.exit(1);
}
