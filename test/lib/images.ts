// Images made here, on the machine: no registry is reachable, so the base image is imported from a root
// filesystem built out of Debian's busybox-static, and the sample app is built FROM it with
// `--network none`. Used by the sim tests, the e2e suite and the demo. See test/images/.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { docker, dockerOk } from './docker.ts';

export const BASE_IMAGE = 'k3d-deploy/base:1';
export const IMAGES_DIR = fileURLToPath(new URL('../images/', import.meta.url));
/** The hash generator's build context (Dockerfile, app.sh, message.txt). */
export const HASH_APP_DIR = path.join(IMAGES_DIR, 'hashgenerator');
const BUSYBOX = process.env.BUSYBOX_PATH || '/bin/busybox';

/** The image's ID (`sha256:...`), or undefined when the engine does not have it. */
export async function imageId(ref: string, env?: NodeJS.ProcessEnv): Promise<string | undefined> {
  const result = await docker(['image', 'inspect', '--format', '{{.Id}}', ref], { env, timeoutMs: 60_000 });
  return result.code === 0 ? result.stdout.trim() || undefined : undefined;
}

/** True when the ELF file asks for no program interpreter (a static binary runs in an empty image). */
function isStaticElf(file: string): boolean {
  const elf = fs.readFileSync(file);
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false; // 64-bit ELF only
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (elf.readUInt32LE(phoff + i * phentsize) === 3 /* PT_INTERP */) return false;
  return true;
}

function makeRootfs(root: string): void {
  if (!fs.existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: install Debian's busybox-static (apt-get install busybox-static)`);
  if (!isStaticElf(BUSYBOX)) throw new Error(`${BUSYBOX} is not statically linked: install busybox-static rather than busybox`);
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.copyFileSync(BUSYBOX, path.join(bin, 'busybox'));
  fs.chmodSync(path.join(bin, 'busybox'), 0o755);
  const applets = fs
    .readFileSync(path.join(IMAGES_DIR, 'base', 'applets.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const applet of applets) fs.symlinkSync('busybox', path.join(bin, applet));
  fs.mkdirSync(path.join(root, 'tmp'), { mode: 0o1777 });
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  fs.mkdirSync(path.join(root, 'etc'));
  fs.writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  fs.writeFileSync(path.join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  fs.mkdirSync(path.join(root, 'root'), { mode: 0o700 });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One builder at a time across processes (tests run files in parallel): a lock directory. */
async function withLock<T>(name: string, body: () => Promise<T>): Promise<T> {
  const lock = path.join(os.tmpdir(), `k3d-deploy-${name}.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // A lock older than 3 minutes belongs to a builder that died.
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 180_000) fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${lock}`);
      await sleep(200);
    }
  }
  try {
    return await body();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

let baseReady: Promise<string> | undefined;

/** Makes sure `k3d-deploy/base:1` exists in the engine (imports it when missing); returns its name. */
export function ensureBaseImage(env?: NodeJS.ProcessEnv): Promise<string> {
  const ensure = async () => {
    if (await imageId(BASE_IMAGE, env)) return BASE_IMAGE;
    return withLock('base-image', async () => {
      if (await imageId(BASE_IMAGE, env)) return BASE_IMAGE;
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'k3d-deploy-base-'));
      try {
        const root = path.join(work, 'rootfs');
        makeRootfs(root);
        const tar = path.join(work, 'rootfs.tar');
        const tarred = spawnSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-cf', tar, '.'], { encoding: 'utf8' });
        if (tarred.status !== 0) throw new Error(`tar failed: ${tarred.stderr || tarred.error}`);
        await dockerOk(['import', '--change', 'ENV PATH=/bin', '--change', 'CMD ["/bin/sh"]', '--message', 'k3d-deploy test base (busybox-static)', tar, BASE_IMAGE], { env, timeoutMs: 120_000 });
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
      return BASE_IMAGE;
    });
  };
  if (env) return ensure();
  baseReady ??= ensure().catch((err: unknown) => {
    baseReady = undefined;
    throw err;
  });
  return baseReady;
}

/**
 * Copies the hash generator's build context into `dir` (created if needed), with `message` in
 * message.txt when given. For tests and the e2e workspace, which then edit and rebuild it.
 */
export function copyHashApp(dir: string, message?: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const file of ['Dockerfile', 'app.sh', 'message.txt']) fs.copyFileSync(path.join(HASH_APP_DIR, file), path.join(dir, file));
  if (message !== undefined) fs.writeFileSync(path.join(dir, 'message.txt'), `${message}\n`);
  return dir;
}

export interface BuildHashAppOptions {
  /** The image name and tag, e.g. `hashgenerator:v1`. */
  tag: string;
  /** What the app prints after each hash; the checked-in message.txt when absent. */
  message?: string;
  /** Build from (and leave) a copy in this folder; a temporary copy when only `message` is given. */
  dir?: string;
  env?: NodeJS.ProcessEnv;
}

/** Builds the hash generator as `tag` with `--network none` (base image first); returns its ID. */
export async function buildHashApp(options: BuildHashAppOptions): Promise<{ image: string; id: string }> {
  await ensureBaseImage(options.env);
  let context = HASH_APP_DIR;
  let temporary: string | undefined;
  if (options.dir) context = copyHashApp(options.dir, options.message);
  else if (options.message !== undefined) context = temporary = copyHashApp(fs.mkdtempSync(path.join(os.tmpdir(), 'k3d-deploy-hashapp-')), options.message);
  try {
    await dockerOk(['build', '--network', 'none', '--pull=false', '-t', options.tag, context], { env: options.env, timeoutMs: 300_000 });
  } finally {
    if (temporary) fs.rmSync(temporary, { recursive: true, force: true });
  }
  const id = await imageId(options.tag, options.env);
  if (!id) throw new Error(`docker build reported success but ${options.tag} is not in the engine`);
  return { image: options.tag, id };
}
