// The official S2 TypeScript SDK's sessions against Brook, on the transport named by
// SDK_TRANSPORT ("fetch": sequential unary appends and SSE reads; "s2s": HTTP/2 framed sessions).
// Prints "ok <step>" per step and exits non-zero at the first failure.
import assert from "node:assert/strict";
import {
  S2, S2Environment, AppendInput, AppendRecord, BatchTransform, Producer, SeqNumMismatchError,
} from "@s2-dev/streamstore";
import { stepper, withTimeout } from "./harness.mjs";

const transport = process.env.SDK_TRANSPORT ?? "fetch";
const step = stepper(`[${transport}] `);
const env = S2Environment.parse();
assert.ok(env.endpoints, "S2_ACCOUNT_ENDPOINT and S2_BASIN_ENDPOINT must be set");
// BROOK_SDK_REQUEST_TIMEOUT_MS: a longer per-batch ack timeout than the SDK's default 5 s, for a store whose
// appends are slow (S3Proxy in the split deployment: the fetch transport sends 60 pipelined batches one by one).
const timeouts = process.env.BROOK_SDK_REQUEST_TIMEOUT_MS ? { requestTimeoutMillis: Number(process.env.BROOK_SDK_REQUEST_TIMEOUT_MS) } : {};
const s2 = new S2({ ...env, ...timeouts, accessToken: process.env.S2_ACCESS_TOKEN ?? "brook", retry: { maxAttempts: 1 } });
const basinName = `sessions-${transport}-${Date.now().toString(36)}`;

await s2.basins.create({ basin: basinName });
const basin = s2.basin(basinName);
const open = (name) => basin.stream(name, { forceTransport: transport });

await step("append session with 60 pipelined batches", async () => {
  await basin.streams.create({ stream: "pipelined" });
  const stream = open("pipelined");
  const session = await stream.appendSession();
  const tickets = [];
  for (let i = 0; i < 60; i++) {
    tickets.push(await session.submit(AppendInput.create([AppendRecord.string({ body: `b${i}` })])));
  }
  const acks = await Promise.all(tickets.map((t) => t.ack()));
  acks.forEach((ack, i) => {
    assert.equal(ack.start.seqNum, i);
    assert.equal(ack.end.seqNum, i + 1);
    assert.ok(ack.tail.seqNum >= ack.end.seqNum);
  });
  await session.close();
  const read = await stream.read({ start: { from: { seqNum: 0 } } });
  assert.deepEqual(read.records.map((r) => r.body), acks.map((_, i) => `b${i}`));
  await stream.close();
});

await step("match_seq_num conflict inside an append session", async () => {
  await basin.streams.create({ stream: "conflict" });
  const stream = open("conflict");
  const session = await stream.appendSession();
  const first = await session.submit(AppendInput.create([AppendRecord.string({ body: "first" })], { matchSeqNum: 0 }));
  assert.equal((await first.ack()).start.seqNum, 0);
  const stale = await session.submit(AppendInput.create([AppendRecord.string({ body: "stale" })], { matchSeqNum: 0 }));
  await assert.rejects(stale.ack(), (e) => e instanceof SeqNumMismatchError || e?.status === 412);
  await session.close().catch(() => {});
  const tail = await stream.checkTail();
  assert.equal(tail.tail.seqNum, 1, "only the first batch landed");
  await stream.close();
});

await step("read session follows records appended after it started", async () => {
  await basin.streams.create({ stream: "follow" });
  const stream = open("follow");
  await stream.append(AppendInput.create([AppendRecord.string({ body: "before" })]));
  const session = await stream.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 3 }, waitSecs: 30 } });
  const seen = [];
  const reading = (async () => {
    for await (const record of session) {
      seen.push(record.body);
    }
  })();
  await withTimeout(session.caughtUp(), 20_000, "caught up");
  await stream.append(AppendInput.create([AppendRecord.string({ body: "after-1" })]));
  await stream.append(AppendInput.create([AppendRecord.string({ body: "after-2" })]));
  await withTimeout(reading, 20_000, "the count-bounded session ends");
  assert.deepEqual(seen, ["before", "after-1", "after-2"]);
  await stream.close();
});

await step("read session with tail offset and wait", async () => {
  await basin.streams.create({ stream: "offset" });
  const stream = open("offset");
  await stream.append(AppendInput.create(["a", "b", "c", "d"].map((body) => AppendRecord.string({ body }))));
  const session = await stream.readSession({ start: { from: { tailOffset: 2 } }, stop: { waitSecs: 1 } });
  const seen = [];
  for await (const record of session) {
    seen.push(record.body);
  }
  assert.deepEqual(seen, ["c", "d"]);
  await stream.close();
});

await step("producer", async () => {
  await basin.streams.create({ stream: "produced" });
  const stream = open("produced");
  const producer = new Producer(new BatchTransform({ lingerDurationMillis: 5, maxBatchRecords: 10 }), await stream.appendSession());
  const tickets = [];
  for (let i = 0; i < 25; i++) {
    tickets.push(await producer.submit(AppendRecord.string({ body: `p${i}` })));
  }
  const acks = await Promise.all(tickets.map((t) => t.ack()));
  assert.deepEqual(acks.map((a) => a.seqNum()), acks.map((_, i) => i));
  await producer.close();
  const read = await stream.read({ start: { from: { seqNum: 0 } } });
  assert.equal(read.records.length, 25);
  await stream.close();
});

await step("binary records through sessions, frames gzip-compressed both ways", async () => {
  await basin.streams.create({ stream: "binary" });
  const gz = new S2({ ...env, ...timeouts, accessToken: process.env.S2_ACCESS_TOKEN ?? "brook", retry: { maxAttempts: 1 }, compression: "gzip" });
  const stream = gz.basin(basinName).stream("binary", { forceTransport: transport });
  const session = await stream.appendSession();
  const payloads = [];
  const tickets = [];
  for (let i = 0; i < 5; i++) {
    const body = new Uint8Array(4096).map((_, j) => (i * 7 + j * 13) % 256);
    payloads.push(body);
    const headers = [[new Uint8Array([0, 255]), new Uint8Array([i])]];
    tickets.push(await session.submit(AppendInput.create([AppendRecord.bytes({ body, headers })])));
  }
  await Promise.all(tickets.map((t) => t.ack()));
  await session.close();
  const read = await stream.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 5 } } }, { as: "bytes" });
  const seen = [];
  for await (const record of read) {
    seen.push(record);
  }
  assert.equal(seen.length, 5);
  seen.forEach((r, i) => {
    assert.deepEqual(Buffer.from(r.body), Buffer.from(payloads[i]));
    assert.deepEqual(Buffer.from(r.headers[0][1]), Buffer.from([i]));
  });
  await stream.close();
});

await step("a quiet follower is kept alive by heartbeats past the SDK's watchdog", async () => {
  await basin.streams.create({ stream: "quiet" });
  const stream = open("quiet");
  const session = await stream.readSession({ start: { from: { tailOffset: 0 } }, stop: { limits: { count: 1 }, waitSecs: 60 } });
  const reading = (async () => {
    const seen = [];
    for await (const record of session) {
      seen.push(record.body);
    }
    return seen;
  })();
  // Idle longer than the SDK's watchdogs (20 s on s2s, 25 s on SSE): only heartbeats keep the session.
  await new Promise((resolve) => setTimeout(resolve, 26_000));
  await stream.append(AppendInput.create([AppendRecord.string({ body: "late" })]));
  assert.deepEqual(await withTimeout(reading, 20_000, "the late record"), ["late"]);
  await stream.close();
});

await s2.basins.delete({ basin: basinName });
console.log(`all session checks passed on ${transport}`);
