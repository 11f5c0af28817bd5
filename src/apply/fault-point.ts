/**
 * Fault injection for the crash tests: when REPLICOOP_FAULT names this point, the process
 * kills itself with SIGKILL right here, exactly as `kill -9` would. Points: "backup",
 * "before:<step id>", "committed:<step id>" (DDL ran, not yet recorded), "after:<step id>", "statement:<step id>:<n>", "chunk:<step id>:<n>",
 * "range-committed:<step id>:<n>" and "range:<step id>:<n>" (a delta copy's n-th range, before and after it is recorded).
 * Unset (always, outside tests) it does nothing.
 */
export function faultPoint(name: string): void {
  const wanted = process.env.REPLICOOP_FAULT;
  if (wanted !== undefined && wanted === name) process.kill(process.pid, 'SIGKILL');
}
