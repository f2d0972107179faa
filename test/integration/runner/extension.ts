// The test-runner extension that test/integration/run.ts builds and installs beside k3d Deploy in
// code-server (which refuses --extensionTestsPath). On activation it runs the suites inside the
// extension host and posts the report to K3D_DEPLOY_TEST_REPORT_URL. Without that variable it
// does nothing, so an accidental install is harmless.
import * as vscode from 'vscode';
import { runAll } from '../lib/harness.ts';
import type { Report } from '../lib/harness.ts';

export const REPORT_URL_VAR = 'K3D_DEPLOY_TEST_REPORT_URL';

async function post(url: string, body: Report & { log: string[]; crash?: string }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (response.ok) return;
      throw new Error(`HTTP ${response.status}`);
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

export function activate(): void {
  const url = process.env[REPORT_URL_VAR];
  if (!url) return;
  const log: string[] = [];
  // Not awaited: activation must not wait for the suites (they activate k3d Deploy themselves).
  void (async () => {
    let report: Report;
    let crash: string | undefined;
    try {
      report = await runAll((line) => log.push(line));
    } catch (err) {
      crash = err instanceof Error ? (err.stack ?? err.message) : String(err);
      report = { results: [], passed: 0, failed: 1 };
    }
    report.vscodeVersion = vscode.version;
    await post(url, { ...report, log, crash });
  })().catch((err: unknown) => console.error('[k3d-deploy integration runner] could not report:', err));
}

export function deactivate(): void {}
