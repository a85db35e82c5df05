// kafkajs plumbing: a client whose log goes to stderr (stdout carries only results), a publisher, and a
// read_committed reader of Sieve's output topics.

import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';

const { Kafka, logLevel, Partitioners } = kafkajs;

/** kafkajs log lines to stderr, level and message only (kafkajs never logs message keys or values). */
const stderrLogCreator = () => ({ level, log }) => {
  const name = level === logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : level === logLevel.INFO ? 'info' : 'debug';
  const why = log.error ? ` (${log.error})` : '';
  process.stderr.write(`kafkajs ${name} ${log.message}${why}\n`);
};

/** A kafkajs client for one bootstrap address (host:port). */
export function createKafka(bootstrap, { verbose = false } = {}) {
  return new Kafka({
    clientId: 'sieve-interop',
    brokers: [bootstrap],
    logLevel: verbose ? logLevel.INFO : logLevel.ERROR,
    logCreator: stderrLogCreator,
    connectionTimeout: 3000,
    retry: { initialRetryTime: 100, retries: 8 },
  });
}

/**
 * Publishes messages, in order, and waits for every acknowledgement (acks=all).
 * @param {import('kafkajs').Kafka} kafka
 * @param {{ topic: string, key: Buffer, value: Buffer }[]} messages
 */
export async function publish(kafka, messages) {
  // The Java-compatible murmur2 partitioner, named explicitly (kafkajs 2 otherwise warns about its default).
  const producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const batchSize = 500;
    for (let i = 0; i < messages.length; i += batchSize) {
      const byTopic = new Map();
      for (const m of messages.slice(i, i + batchSize)) {
        if (!byTopic.has(m.topic)) byTopic.set(m.topic, []);
        byTopic.get(m.topic).push({ key: m.key, value: m.value });
      }
      await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })) });
    }
  } finally {
    await producer.disconnect();
  }
  return messages.length;
}

/**
 * Reads topics from the beginning with a fresh consumer group (read_committed), until done(messages) is true
 * and drainMs more have passed, or until deadline (epoch ms).
 * @returns {Promise<{ messages: object[], timedOut: boolean }>}
 */
export async function readTopics(kafka, topics, { done, deadline, drainMs = 1000 }) {
  const groupId = `sieve-interop-verify-${Date.now()}-${randomBytes(4).toString('hex')}`;
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    allowAutoTopicCreation: true,
    maxWaitTimeInMs: 250,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
  });
  const messages = [];
  let changed = true;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
        });
        changed = true;
      },
    });

    let doneAt = null;
    let timedOut = false;
    for (;;) {
      const now = Date.now();
      if (doneAt === null && changed) {
        changed = false;
        if (done(messages)) doneAt = now;
      }
      if (doneAt !== null && now - doneAt >= drainMs) break;
      if (now >= deadline) {
        timedOut = doneAt === null;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return { messages, timedOut };
  } finally {
    await consumer.disconnect();
  }
}
