// Entry for @vscode/test-electron's extensionTestsPath: the same suites (suites/*.suite.ts, bundled
// beside this file by lib/build.ts), in a desktop VS Code.
// electron/run.ts bundles this file (with the suites) into CommonJS before launching VS Code.
import { runAll } from '../lib/harness.ts';

export async function run(): Promise<void> {
  const report = await runAll((line) => console.log(line));
  console.log(`${report.passed} passed, ${report.failed} failed`);
  if (report.failed > 0 || report.passed === 0) throw new Error(`${report.failed} integration test(s) failed`);
}
