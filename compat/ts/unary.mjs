// Every unary operation of the official S2 TypeScript SDK against a Brook server, unmodified:
// S2_ACCOUNT_ENDPOINT / S2_BASIN_ENDPOINT point at Brook; streams use forceTransport "fetch".
// Prints "ok <step>" per step and exits non-zero at the first failure.
import assert from "node:assert/strict";
import {
  S2, S2Environment, AppendInput, AppendRecord,
  SeqNumMismatchError, FencingTokenMismatchError, RangeNotSatisfiableError, S2Error,
} from "@s2-dev/streamstore";
import { stepper, rejects } from "./harness.mjs";

const step = stepper();
const env = S2Environment.parse();
assert.ok(env.endpoints, "S2_ACCOUNT_ENDPOINT and S2_BASIN_ENDPOINT must be set");
const s2 = new S2({ ...env, accessToken: process.env.S2_ACCESS_TOKEN ?? "brook", retry: { maxAttempts: 1 } });
const run = Date.now().toString(36);
const basinName = `compat-${run}`;

// ---------------------------------------------------------------- basins
await step("basins.create", async () => {
  const info = await s2.basins.create({ basin: basinName, config: { createStreamOnAppend: false } });
  assert.equal(info.name, basinName);
});
await step("basins.create is idempotent only with its token: a second create conflicts", async () => {
  await rejects(s2.basins.create({ basin: basinName }), S2Error, (e) => assert.equal(e.status, 409));
});
await step("basins.getConfig", async () => {
  const config = await s2.basins.getConfig({ basin: basinName });
  assert.equal(config.createStreamOnAppend, false);
});
await step("basins.list and listAll", async () => {
  const page = await s2.basins.list({ prefix: basinName });
  assert.deepEqual(page.basins.map((b) => b.name), [basinName]);
  const all = [];
  for await (const b of s2.basins.listAll({ prefix: "compat-" })) all.push(b.name);
  assert.ok(all.includes(basinName));
});
await step("basins.reconfigure", async () => {
  const config = await s2.basins.reconfigure({ basin: basinName, createStreamOnRead: true,
    defaultStreamConfig: { timestamping: { mode: "client-prefer" } } });
  assert.equal(config.createStreamOnRead, true);
});
await step("basins.ensure", async () => {
  const ensured = await s2.basins.ensure({ basin: `${basinName}-e` });
  assert.equal(ensured.basin.name, `${basinName}-e`);
  assert.equal(ensured.result, "created");
  const again = await s2.basins.ensure({ basin: `${basinName}-e` });
  assert.equal(again.result, "noop");
  const changed = await s2.basins.ensure({ basin: `${basinName}-e`, config: { createStreamOnRead: true } });
  assert.equal(changed.result, "updated");
});

// ---------------------------------------------------------------- streams
const basin = s2.basin(basinName);
await step("streams.create (a name with a slash)", async () => {
  const info = await basin.streams.create({ stream: "orders/2026", config: { retentionPolicy: { ageSecs: 3600 } } });
  assert.equal(info.name, "orders/2026");
});
await step("streams.getConfig", async () => {
  const config = await basin.streams.getConfig({ stream: "orders/2026" });
  assert.equal(config.retentionPolicy.ageSecs, 3600);
});
await step("streams.list", async () => {
  const page = await basin.streams.list({ prefix: "orders/" });
  assert.deepEqual(page.streams.map((s) => s.name), ["orders/2026"]);
});
await step("streams.reconfigure", async () => {
  const config = await basin.streams.reconfigure({ stream: "orders/2026", timestamping: { mode: "arrival" } });
  assert.equal(config.timestamping.mode, "arrival");
});
await step("streams.ensure", async () => {
  const ensured = await basin.streams.ensure({ stream: "ensured" });
  assert.equal(ensured.result, "created");
  const config = await basin.streams.getConfig({ stream: "ensured" });
  assert.equal(config.timestamping.mode, "client-prefer");
});

// ---------------------------------------------------------------- records
const stream = basin.stream("events", { forceTransport: "fetch" });
await step("streams.create events", () => basin.streams.create({ stream: "events" }));
await step("checkTail of a new stream", async () => {
  const tail = await stream.checkTail();
  assert.equal(tail.tail.seqNum, 0);
});
await step("append string records with headers and timestamps", async () => {
  const ack = await stream.append(AppendInput.create([
    AppendRecord.string({ body: "hello", headers: [["k", "v"], ["k", "w"]], timestamp: 1_000 }),
    AppendRecord.string({ body: "world" }),
  ]));
  assert.equal(ack.start.seqNum, 0);
  assert.equal(ack.end.seqNum, 2);
  assert.equal(ack.tail.seqNum, 2);
});
await step("read strings from seq 0", async () => {
  const batch = await stream.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } });
  assert.deepEqual(batch.records.map((r) => r.body), ["hello", "world"]);
  assert.deepEqual(batch.records[0].headers, [["k", "v"], ["k", "w"]]);
  assert.equal(batch.records[0].timestamp.getTime(), 1_000);
});
await step("append with matchSeqNum, then a stale one", async () => {
  const ack = await stream.append(AppendInput.create([AppendRecord.string({ body: "third" })], { matchSeqNum: 2 }));
  assert.equal(ack.start.seqNum, 2);
  await rejects(stream.append(AppendInput.create([AppendRecord.string({ body: "x" })], { matchSeqNum: 2 })),
    SeqNumMismatchError, (e) => assert.equal(e.expectedSeqNum, 3));
});
await step("fence, then the old token is refused and the new one accepted", async () => {
  await stream.append(AppendInput.create([AppendRecord.fence("writer-1")], { fencingToken: "" }));
  await rejects(stream.append(AppendInput.create([AppendRecord.string({ body: "x" })], { fencingToken: "" })),
    FencingTokenMismatchError, (e) => assert.equal(e.expectedFencingToken, "writer-1"));
  await stream.append(AppendInput.create([AppendRecord.string({ body: "fenced" })], { fencingToken: "writer-1" }));
  await stream.append(AppendInput.create([AppendRecord.fence("")], { fencingToken: "writer-1" }));
});
await step("tailOffset read and a read past the tail (416)", async () => {
  const tail = (await stream.checkTail()).tail.seqNum;
  const last = await stream.read({ start: { from: { tailOffset: 1 } } });
  assert.equal(last.records.length, 1);
  assert.equal(last.records[0].seqNum, tail - 1);
  await rejects(stream.read({ start: { from: { seqNum: tail + 10 } } }), RangeNotSatisfiableError,
    (e) => assert.equal(e.tail?.seqNum, tail));
});
await step("bytes records (protobuf) and a bytes read", async () => {
  const ack = await stream.append(AppendInput.create([
    AppendRecord.bytes({ body: new Uint8Array([0, 1, 2, 255]), headers: [[new Uint8Array([7]), new Uint8Array([])]] }),
  ]));
  const batch = await stream.read({ start: { from: { seqNum: ack.start.seqNum } } }, { as: "bytes" });
  assert.deepEqual(Array.from(batch.records[0].body), [0, 1, 2, 255]);
});
await step("trim command (protobuf)", async () => {
  const tail = (await stream.checkTail()).tail.seqNum;
  await stream.append(AppendInput.create([AppendRecord.trim(2)]));
  const batch = await stream.read({ start: { from: { seqNum: 0 } } });
  assert.equal(batch.records[0].seqNum, 2);
  assert.ok((await stream.checkTail()).tail.seqNum > tail);
});
await step("auto-create on read (basin option)", async () => {
  const tail = await basin.stream("auto/created", { forceTransport: "fetch" }).checkTail();
  assert.equal(tail.tail.seqNum, 0);
});

await step("an encrypted stream (aegis-256): the key is required and the records come back", async () => {
  const secretBasinName = `${basinName}-x`;
  await s2.basins.create({ basin: secretBasinName, config: { streamCipher: "aegis-256" } });
  const secretBasin = s2.basin(secretBasinName);
  await secretBasin.streams.create({ stream: "vault" });
  const key = new Uint8Array(32).fill(7);
  const vault = secretBasin.stream("vault", { forceTransport: "fetch" }).withEncryptionKey(key);
  await vault.append(AppendInput.create([AppendRecord.string({ body: "secret", headers: [["who", "me"]] })]));
  const batch = await vault.read({ start: { from: { seqNum: 0 } } });
  assert.deepEqual(batch.records.map((r) => r.body), ["secret"]);
  assert.deepEqual(batch.records[0].headers, [["who", "me"]]);
  await rejects(secretBasin.stream("vault", { forceTransport: "fetch" }).read({ start: { from: { seqNum: 0 } } }), S2Error,
    (e) => assert.equal(e.status, 400));
  await rejects(secretBasin.stream("vault", { forceTransport: "fetch" }).withEncryptionKey(new Uint8Array(32).fill(8))
    .read({ start: { from: { seqNum: 0 } } }), S2Error, (e) => assert.equal(e.code, "decryption_failed"));
  await s2.basins.delete({ basin: secretBasinName });
});

// ---------------------------------------------------------------- deletion
await step("streams.delete then data operations answer 409", async () => {
  await basin.streams.delete({ stream: "events" });
  await rejects(stream.checkTail(), S2Error, (e) => assert.equal(e.status, 409));
});
await step("basins.delete", async () => {
  await s2.basins.delete({ basin: `${basinName}-e` });
  await s2.basins.delete({ basin: basinName });
  const config = await s2.basins.list({ prefix: basinName });
  assert.ok(config.basins.every((b) => b.deletedAt !== undefined && b.deletedAt !== null));
});
console.log("all unary operations passed");
