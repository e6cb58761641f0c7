// What every compatibility script shares: named steps that stop the run at the first failure,
// expected rejections, and bounded waits.
import assert from "node:assert/strict";

/** A `step(name, fn)` that prints "ok <label><name>" or the failure, and exits non-zero on failure. */
export function stepper(label = "") {
  return async function step(name, fn) {
    try {
      await fn();
      console.log(`ok ${label}${name}`);
    } catch (e) {
      console.log(`FAILED ${label}${name}: ${e?.constructor?.name} ${e?.status ?? ""} ${e?.code ?? ""} ${e?.message}`);
      console.log(e?.stack);
      process.exit(1);
    }
  };
}

/** Asserts that `promise` rejects with an instance of `type`, then runs `check` on the error. */
export async function rejects(promise, type, check) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof type, `expected ${type.name}, got ${e?.constructor?.name}: ${e?.message}`);
    if (check) check(e);
    return;
  }
  assert.fail(`expected ${type.name}`);
}

/** `promise`, or a failure naming `what` if it does not settle within `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
}
