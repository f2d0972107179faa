// Test helpers: run test/sim/bin/k3d in a throw-away K3D_SIM_HOME and KUBECONFIG.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const K3D = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'k3d');

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  dir: string;
  home: string;
  kubeconfig: string;
  env: NodeJS.ProcessEnv;
  k3d: (args: string[], extraEnv?: NodeJS.ProcessEnv) => Promise<Result>;
  cleanup: () => void;
}

export function sandbox(extra: NodeJS.ProcessEnv = {}): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k3d-sim-test-'));
  const home = path.join(dir, 'sim');
  const kubeconfig = path.join(dir, 'kube', 'config');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    K3D_SIM_HOME: home,
    KUBECONFIG: kubeconfig,
    K3D_SIM_SPEED: '0',
    // The API server simulator is tested on its own; apiserver.test.ts covers the hook with a fake.
    K3D_SIM_APISERVER_MAIN: path.join(dir, 'no-apiserver.ts'),
    ...extra,
  };
  const k3d = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => run(args, { ...env, ...extraEnv });
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  return { dir, home, kubeconfig, env, k3d, cleanup };
}

export function run(args: string[], env: NodeJS.ProcessEnv): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(K3D, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Lines without ANSI colours. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

export function json<T = unknown>(text: string): T {
  return JSON.parse(text) as T;
}
