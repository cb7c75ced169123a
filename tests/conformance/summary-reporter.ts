// Prints one line per backend row and, for each failed check, why:
//
//   conformance row: noids     FAIL  receive ok, send ok, no duplicates FAIL, restart ok
//   conformance why: noids / no duplicates: A shows "from A x1y2z3" exactly once (expected 1, received 2)
//
// The harness (xtask/src/conformance.rs) collects these lines.
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

const ANSI = /\u001b\[[0-9;]*m/g;

/** The assertion's own message plus the expected/received values, on one line. */
function reason(result: TestResult): string {
  const text = (result.error?.message ?? result.status).replace(ANSI, '');
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const first = (lines[0] ?? result.status).replace(/^Error: /, '');
  const pick = (label: string) => lines.find((l) => l.startsWith(`${label}:`));
  const values = [pick('Expected'), pick('Received')].filter(Boolean).map((l) => l!.replace(/\s+/g, ' '));
  const timedOut = result.status === 'timedOut' ? ' (test timed out)' : '';
  return values.length ? `${first} (${values.join(', ')})${timedOut}` : `${first}${timedOut}`;
}

class SummaryReporter implements Reporter {
  private rows = new Map<string, { check: string; ok: boolean; why: string }[]>();

  onTestEnd(test: TestCase, result: TestResult) {
    const row = test.parent.title;
    const ok = result.status === 'passed';
    const checks = this.rows.get(row) ?? [];
    checks.push({ check: test.title, ok, why: ok ? '' : reason(result) });
    this.rows.set(row, checks);
  }

  onEnd() {
    const width = Math.max(0, ...[...this.rows.keys()].map((r) => r.length));
    console.log('');
    for (const [row, checks] of this.rows) {
      const ok = checks.every((c) => c.ok);
      const list = checks.map((c) => `${c.check} ${c.ok ? 'ok' : 'FAIL'}`).join(', ');
      console.log(`conformance row: ${row.padEnd(width)}  ${ok ? 'PASS' : 'FAIL'}  ${list}`);
    }
    for (const [row, checks] of this.rows) {
      for (const c of checks.filter((c) => !c.ok)) console.log(`conformance why: ${row} / ${c.check}: ${c.why}`);
    }
  }

  printsToStdio() {
    return false;
  }
}

export default SummaryReporter;
