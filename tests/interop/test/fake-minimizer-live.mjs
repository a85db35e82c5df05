#!/usr/bin/env node
// Runs the fake minimizer against a Kafka cluster, to try `sieve-client.mjs verify` end to end without Sieve:
//   node test/fake-minimizer-live.mjs --plan plan.json --bootstrap HOST:PORT --inputs N --consent C [--leak]
// Reads N raw events and C consent changes from the beginning, writes the outputs a correct minimizer would
// write; --leak also writes one positioning record whose key is a planned VIN (verify must then fail).

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createKafka, publish, readTopics } from '../lib/kafka.mjs';
import { registry } from '../lib/wire.mjs';
import { minimize } from './fake-minimizer.mjs';

const { values } = parseArgs({
  options: {
    plan: { type: 'string' }, bootstrap: { type: 'string' }, inputs: { type: 'string' }, consent: { type: 'string' },
    'timeout-ms': { type: 'string' }, leak: { type: 'boolean' },
  },
});
const plan = JSON.parse(readFileSync(values.plan, 'utf8'));
const inputs = Number(values.inputs);
const consentCount = Number(values.consent);
const reg = registry();
const kafka = createKafka(values.bootstrap);
const rawTopics = new Set([plan.topics.telematics, plan.topics.wifi]);

const { messages, timedOut } = await readTopics(kafka, [plan.topics.telematics, plan.topics.wifi, plan.topics.consent], {
  done: (ms) => ms.filter((m) => rawTopics.has(m.topic)).length >= inputs && ms.filter((m) => m.topic === plan.topics.consent).length >= consentCount,
  deadline: Date.now() + Number(values['timeout-ms'] ?? 60_000),
  drainMs: 200,
});
if (timedOut) {
  process.stderr.write('fake minimizer: timed out reading inputs\n');
  process.exit(4);
}
// Consent is applied in publishing order: by partition, then offset (one key always lands in one partition).
const consent = messages.filter((m) => m.topic === plan.topics.consent)
  .sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
const raw = messages.filter((m) => rawTopics.has(m.topic));
const out = minimize(plan, raw, consent, reg);
if (values.leak) {
  const p = out.find((m) => m.topic === plan.topics.positioning);
  out.push({ ...p, key: Buffer.from(plan.vehicles[0].vin) });
}
const n = await publish(kafka, out.map((m) => ({ topic: m.topic, key: m.key, value: m.value })));
process.stdout.write(`${n}\n`);
