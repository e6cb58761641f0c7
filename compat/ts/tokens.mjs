// Access tokens through the official S2 TypeScript SDK against a Brook server started with keys:
// S2_ACCESS_TOKEN is the admin token `keygen` printed. The admin issues a read-only "broadcast"
// token for one stream, which reads (unary, check-tail, sessions on both transports) and is refused
// everything else; once revoked it is refused everything, at once.
// Prints "ok <step>" per step and exits non-zero at the first failure.
import assert from "node:assert/strict";
import { S2, S2Environment, AppendInput, AppendRecord, S2Error } from "@s2-dev/streamstore";
import { stepper, rejects, withTimeout } from "./harness.mjs";

const step = stepper();
const env = S2Environment.parse();
assert.ok(env.endpoints, "S2_ACCOUNT_ENDPOINT and S2_BASIN_ENDPOINT must be set");
const adminToken = process.env.S2_ACCESS_TOKEN;
assert.ok(adminToken, "S2_ACCESS_TOKEN must be the admin token keygen printed");
const client = (accessToken) => new S2({ ...env, accessToken, retry: { maxAttempts: 1 } });
const admin = client(adminToken);
const run = Date.now().toString(36);
const basinName = `tokens-${run}`;
const otherBasinName = `tokens-${run}-other`;
const tokenId = `broadcast-${run}`;
const TRANSPORTS = ["fetch", "s2s"];

const status = (expected, code) => (e) => {
  assert.equal(e.status, expected, `expected status ${expected}, got ${e.status} ${e.code}: ${e.message}`);
  if (code) assert.equal(e.code, code, `expected code ${code}, got ${e.code}: ${e.message}`);
};
const denied = status(403, "permission_denied");
const unauthenticated = status(401);
// How long a revocation may take to reach every process: 0 for one process (refused at once); a
// split deployment passes Brook's documented bound (docs/SECURITY.md), since a function that checked
// the token just before keeps "not revoked" cached for up to that long.
const revocationBoundMs = Number(process.env.BROOK_REVOCATION_BOUND_MS ?? "0");

/** Asserts that `attempt()` is refused as revoked: at once, or by the end of the revocation bound. */
async function refusedAsRevoked(attempt) {
  const deadline = Date.now() + revocationBoundMs;
  for (;;) {
    try {
      await rejects(attempt(), S2Error, revoked);
      return;
    } catch (e) {
      if (Date.now() >= deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const revoked = (e) => {
  status(401)(e);
  assert.match(e.message, /revoked/, `refused for being revoked: ${e.message}`);
};

/** A count-bounded read session from seq 0, opened and drained; its records' bodies. */
async function readSessionBodies(s2, basin, stream, transport, count) {
  const s = s2.basin(basin).stream(stream, { forceTransport: transport });
  try {
    const session = await s.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count }, waitSecs: 5 } });
    const seen = [];
    for await (const record of session) {
      seen.push(record.body);
    }
    return seen;
  } finally {
    await s.close().catch(() => {});
  }
}

// ---------------------------------------------------------------- set-up, as the admin
const bodies = ["one", "two", "three"];
await step("admin creates the basins and streams and appends records", async () => {
  await admin.basins.create({ basin: basinName });
  await admin.basins.create({ basin: otherBasinName });
  const basin = admin.basin(basinName);
  await basin.streams.create({ stream: "broadcast" });
  await basin.streams.create({ stream: "private" });
  await admin.basin(otherBasinName).streams.create({ stream: "broadcast" });
  const ack = await basin.stream("broadcast", { forceTransport: "fetch" })
    .append(AppendInput.create(bodies.map((body) => AppendRecord.string({ body }))));
  assert.equal(ack.end.seqNum, bodies.length);
  await basin.stream("private", { forceTransport: "fetch" }).append(AppendInput.create([AppendRecord.string({ body: "secret" })]));
  await admin.basin(otherBasinName).stream("broadcast", { forceTransport: "fetch" })
    .append(AppendInput.create([AppendRecord.string({ body: "elsewhere" })]));
});

const broadcastScope = {
  basins: { exact: basinName },
  streams: { exact: "broadcast" },
  opGroups: { stream: { read: true } },
};
let broadcastToken;
await step("admin issues a read-only broadcast token for one stream", async () => {
  const issued = await admin.accessTokens.issue({ id: tokenId, scope: broadcastScope });
  assert.equal(typeof issued.accessToken, "string");
  assert.ok(issued.accessToken.length > 0);
  broadcastToken = issued.accessToken;
});

await step("admin lists tokens and finds it with the same scope", async () => {
  const page = await admin.accessTokens.list({ prefix: "broadcast-" });
  const info = page.accessTokens.find((t) => t.id === tokenId);
  assert.ok(info, `token ${tokenId} listed: ${JSON.stringify(page)}`);
  assert.equal(info.autoPrefixStreams, false);
  assert.ok(info.expiresAt === null || info.expiresAt === undefined, `no expiry: ${info.expiresAt}`);
  assert.deepEqual(info.scope.basins, { exact: basinName });
  assert.deepEqual(info.scope.streams, { exact: "broadcast" });
  assert.ok(info.scope.accessTokens === null || info.scope.accessTokens === undefined, JSON.stringify(info.scope.accessTokens));
  const groups = info.scope.opGroups;
  assert.equal(groups.stream.read, true);
  assert.ok(!groups.stream.write, "no stream write");
  for (const g of ["account", "basin"]) {
    assert.ok(!groups[g]?.read && !groups[g]?.write, `no ${g} permission: ${JSON.stringify(groups[g])}`);
  }
  assert.deepEqual(info.scope.ops ?? [], []);
  assert.ok(!page.accessTokens.some((t) => t.id === "admin"), "the bootstrap token is not listed");
});

// ---------------------------------------------------------------- the broadcast token
const reader = client(broadcastToken);
const broadcast = (transport = "fetch") => reader.basin(basinName).stream("broadcast", { forceTransport: transport });

await step("broadcast token: unary read", async () => {
  const batch = await broadcast().read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } });
  assert.deepEqual(batch.records.map((r) => r.body), bodies);
});
await step("broadcast token: check-tail", async () => {
  const tail = await broadcast().checkTail();
  assert.equal(tail.tail.seqNum, bodies.length);
});
for (const transport of TRANSPORTS) {
  await step(`broadcast token: read session on ${transport}`, async () => {
    const seen = await withTimeout(readSessionBodies(reader, basinName, "broadcast", transport, bodies.length), 20_000, "read session");
    assert.deepEqual(seen, bodies);
  });
}
await step("broadcast token: append is refused (403 permission_denied)", async () => {
  await rejects(broadcast().append(AppendInput.create([AppendRecord.string({ body: "forged" })])), S2Error, denied);
});
await step("broadcast token: reading another stream of the basin is refused (403)", async () => {
  await rejects(reader.basin(basinName).stream("private", { forceTransport: "fetch" }).read({ start: { from: { seqNum: 0 } } }),
    S2Error, denied);
});
await step("broadcast token: reading the same stream name in another basin is refused (403)", async () => {
  await rejects(reader.basin(otherBasinName).stream("broadcast", { forceTransport: "fetch" }).read({ start: { from: { seqNum: 0 } } }),
    S2Error, denied);
});
await step("broadcast token: issuing a token is refused (403)", async () => {
  await rejects(reader.accessTokens.issue({ id: `${tokenId}-child`, scope: broadcastScope }), S2Error, denied);
});

// ---------------------------------------------------------------- revocation
await step("admin revokes the broadcast token", async () => {
  await admin.accessTokens.revoke({ id: tokenId });
  const page = await admin.accessTokens.list({ prefix: tokenId });
  assert.ok(!page.accessTokens.some((t) => t.id === tokenId), "a revoked token is no longer listed");
});
await step("revoked token: unary read is refused (401)", async () => {
  await refusedAsRevoked(() => broadcast().read({ start: { from: { seqNum: 0 } } }));
});
await step("revoked token: check-tail is refused (401)", async () => {
  await refusedAsRevoked(() => broadcast().checkTail());
});
for (const transport of TRANSPORTS) {
  await step(`revoked token: read session on ${transport} is refused (401)`, async () => {
    await refusedAsRevoked(() => withTimeout(readSessionBodies(reader, basinName, "broadcast", transport, bodies.length), 20_000, "read session"));
  });
}
await step("a garbage token is refused (401) on basins.list", async () => {
  await rejects(client("not-a-token").basins.list(), S2Error, unauthenticated);
});

await step("admin deletes the basins", async () => {
  await admin.basins.delete({ basin: basinName });
  await admin.basins.delete({ basin: otherBasinName });
});
console.log("all token checks passed");
