#!/usr/bin/env node
// sieve-client: publishes raw events to Sieve in its documented wire format and verifies the minimized outputs,
// with kafkajs and avsc (no .NET, no Apache.Avro). See README.md for usage and exit codes.

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { outputTopics, PURPOSES, runChecks } from './lib/checks.mjs';
import { createKafka, publish, readTopics } from './lib/kafka.mjs';
import { consentChanges, expectedConsentState, expectedOutcomes, generateEvents, makePlan, validatePlan } from './lib/plan.mjs';
import { selftest } from './lib/selftest.mjs';
import { registry } from './lib/wire.mjs';

/** Exit codes. */
const EXIT = Object.freeze({ OK: 0, CHECK_FAILED: 1, USAGE: 2, KAFKA: 3, TIMEOUT: 4 });

const USAGE = `usage: node sieve-client.mjs <command> [options]
commands:
  make-plan        [--out FILE] [--seed N] [--vehicles N] [--visitors N] [--events N] [--bad N] [--base-time MS]
                   [--topic-suffix S]
  selftest         [--bootstrap HOST:PORT]
  expect           --plan FILE                                 prints what a correct Sieve does with the plan
  publish-consent  --plan FILE --bootstrap HOST:PORT          prints the number of consent changes published
  publish-events   --plan FILE --bootstrap HOST:PORT          prints the number of raw events published
  verify           --plan FILE --bootstrap HOST:PORT --expect-inputs N --timeout-ms T [--drain-ms D] [--report FILE]
exit codes: 0 ok, 1 a check failed, 2 bad usage or plan, 3 Kafka error, 4 verify timed out`;

class UsageError extends Error {}

const OPTIONS = {
  bootstrap: { type: 'string' },
  plan: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  vehicles: { type: 'string' },
  visitors: { type: 'string' },
  events: { type: 'string' },
  bad: { type: 'string' },
  'base-time': { type: 'string' },
  'topic-suffix': { type: 'string' },
  'expect-inputs': { type: 'string' },
  'timeout-ms': { type: 'string' },
  'drain-ms': { type: 'string' },
  report: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

function intOption(values, name, { required = false, min = 0 } = {}) {
  const raw = values[name];
  if (raw === undefined) {
    if (required) throw new UsageError(`--${name} is required`);
    return undefined;
  }
  if (!/^-?\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`--${name} must be an integer >= ${min}`);
  }
  return Number(raw);
}

function requireOption(values, name) {
  if (!values[name]) throw new UsageError(`--${name} is required`);
  return values[name];
}

function loadPlan(values) {
  const file = requireOption(values, 'plan');
  let plan;
  try {
    plan = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read plan file: ${e.code ?? 'invalid JSON'}`);
  }
  try {
    return validatePlan(plan);
  } catch (e) {
    throw new UsageError(`invalid plan: ${e.message}`);
  }
}

function bootstrap(values) {
  const b = requireOption(values, 'bootstrap');
  if (!/^[^\s:]+:\d{1,5}$/.test(b)) throw new UsageError('--bootstrap must be HOST:PORT');
  return b;
}

async function main(argv) {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? EXIT.OK : EXIT.USAGE;
  }
  if (positionals.length > 1) throw new UsageError('unexpected positional arguments');

  switch (command) {
    case 'make-plan': {
      const options = {
        seed: intOption(values, 'seed'),
        vehicles: intOption(values, 'vehicles'),
        visitors: intOption(values, 'visitors'),
        eventsPerSubject: intOption(values, 'events', { min: 1 }),
        bad: intOption(values, 'bad'),
        baseTime: intOption(values, 'base-time', { min: -8.64e15 }),
        topicSuffix: values['topic-suffix'],
      };
      let plan;
      try {
        plan = makePlan(options);
      } catch (e) {
        throw new UsageError(e.message);
      }
      const text = `${JSON.stringify(plan, null, 2)}\n`;
      if (values.out) writeFileSync(values.out, text);
      else process.stdout.write(text);
      return EXIT.OK;
    }

    case 'selftest': {
      const result = selftest(registry());
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      const passed = result.results.filter((r) => r.ok).length;
      process.stderr.write(`selftest: ${passed} passed, ${result.results.length - passed} failed\n`);
      return result.ok ? EXIT.OK : EXIT.CHECK_FAILED;
    }

    case 'expect': {
      const plan = loadPlan(values);
      const changes = consentChanges(plan);
      const expected = {
        topics: plan.topics,
        inputs: expectedOutcomes(plan).inputs,
        consentChanges: changes.length,
        consentState: expectedConsentState(plan),
        outcomes: expectedOutcomes(plan),
      };
      process.stdout.write(`${JSON.stringify(expected, null, 2)}\n`);
      return EXIT.OK;
    }

    case 'publish-consent': {
      const plan = loadPlan(values);
      const kafka = createKafka(bootstrap(values), { verbose: values.verbose });
      const reg = registry();
      const messages = consentChanges(plan).map((c) => ({ topic: plan.topics.consent, key: c.key, value: reg.encode('ConsentChange', c.record) }));
      const n = await publish(kafka, messages);
      process.stdout.write(`${n}\n`);
      return EXIT.OK;
    }

    case 'publish-events': {
      const plan = loadPlan(values);
      const kafka = createKafka(bootstrap(values), { verbose: values.verbose });
      const events = generateEvents(plan, registry());
      const n = await publish(kafka, events);
      process.stdout.write(`${n}\n`);
      return EXIT.OK;
    }

    case 'verify': {
      const plan = loadPlan(values);
      const expectInputs = intOption(values, 'expect-inputs', { required: true });
      const timeoutMs = intOption(values, 'timeout-ms', { required: true, min: 1 });
      const drainMs = intOption(values, 'drain-ms') ?? 1000;
      const kafka = createKafka(bootstrap(values), { verbose: values.verbose });
      const reg = registry();
      const progress = progressTracker(plan, reg, expectInputs);
      const { messages, timedOut } = await readTopics(kafka, outputTopics(plan), {
        done: progress,
        deadline: Date.now() + timeoutMs,
        drainMs,
      });
      const report = runChecks(plan, messages, { registry: reg, expectInputs, timedOut });
      const text = `${JSON.stringify(report, null, 2)}\n`;
      if (values.report) writeFileSync(values.report, text);
      process.stdout.write(text);
      const passed = report.checks.filter((c) => c.ok).length;
      process.stderr.write(`verify: ${passed} passed, ${report.checks.length - passed} failed\n`);
      if (timedOut) return EXIT.TIMEOUT;
      return report.ok ? EXIT.OK : EXIT.CHECK_FAILED;
    }

    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

/**
 * done(messages) for the reader: true once the audit records account for expectInputs inputs and every purpose
 * topic holds as many records as the audit says were forwarded (and quarantine as many as were quarantined), so
 * records committed with the last audit are not missed. Decodes each audit message once.
 */
function progressTracker(plan, reg, expectInputs) {
  const topicPurpose = Object.fromEntries(PURPOSES.map((p) => [plan.topics[p], p]));
  let scanned = 0;
  let inputs = 0;
  let quarantinedExpected = 0;
  let quarantineSeen = 0;
  const forwardedExpected = Object.fromEntries(PURPOSES.map((p) => [p, 0]));
  const seen = Object.fromEntries(PURPOSES.map((p) => [p, 0]));
  return (messages) => {
    for (; scanned < messages.length; scanned++) {
      const m = messages[scanned];
      if (topicPurpose[m.topic]) seen[topicPurpose[m.topic]]++;
      else if (m.topic === plan.topics.quarantine) quarantineSeen++;
      else if (m.topic === plan.topics.audit && m.value) {
        try {
          const a = reg.decode(m.value).value;
          inputs += Number(a.inputs);
          for (const q of a.quarantined) quarantinedExpected += Number(q.count);
          for (const pc of a.purposes) if (pc.purpose in forwardedExpected) forwardedExpected[pc.purpose] += Number(pc.forwarded);
        } catch {
          // Reported by the decode check.
        }
      }
    }
    return inputs >= expectInputs
      && quarantineSeen >= quarantinedExpected
      && PURPOSES.every((p) => seen[p] >= forwardedExpected[p]);
  };
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    if (e instanceof UsageError || e?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || e?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`${e.message}\n${USAGE}\n`);
      process.exitCode = EXIT.USAGE;
    } else {
      // kafkajs errors name brokers, topics and codes; they carry no message payloads.
      process.stderr.write(`error: ${e?.name ?? 'Error'}: ${e?.message ?? e}\n`);
      process.exitCode = EXIT.KAFKA;
    }
  },
);
