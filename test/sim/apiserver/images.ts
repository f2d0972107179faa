// The image rules of the simulated container runtime: what can be pulled, what is present on a node.
import { normalizeImage } from './cluster.ts';

/** Why an image reference is malformed (kubelet's InvalidImageName), or undefined when it parses. */
export function invalidImageReason(image: string): string | undefined {
  const ref = image.split('@')[0]!;
  const slash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', slash + 1);
  const repo = colon >= 0 ? ref.slice(0, colon) : ref;
  const tag = colon >= 0 ? ref.slice(colon + 1) : '';
  const path = repo.includes('/') && /[.:]|^localhost$/.test(repo.split('/')[0]!) ? repo.slice(repo.indexOf('/') + 1) : repo;
  if (/[A-Z]/.test(path)) return `couldn't parse image name "${image}": invalid reference format: repository name (${path.includes('/') ? path : `library/${path}`}) must be lowercase`;
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(path) || (colon >= 0 && !/^[\w][\w.-]{0,127}$/.test(tag))) {
    return `couldn't parse image name "${image}": invalid reference format`;
  }
  return undefined;
}

/** Images that "do not exist" in the simulated registries: any reference containing "doesnotexist" or "notfound". */
export function imageMissing(image: string): boolean {
  const s = image.toLowerCase();
  return s.includes('doesnotexist') || s.includes('notfound');
}

export function isImported(image: string, imported: string[]): boolean {
  const want = normalizeImage(image);
  return imported.some((i) => normalizeImage(i) === want);
}

export function pullFailureMessage(image: string): string {
  const ref = normalizeImage(image);
  return `failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`;
}

/** A stable fake digest for an image reference. */
export function imageDigest(image: string): string {
  let h = '';
  let x = 0x12345;
  for (let i = 0; i < 64; i++) {
    x = (x * 31 + image.charCodeAt(i % image.length) + i) >>> 0;
    h += (x % 16).toString(16);
  }
  return h;
}

export function imageSize(image: string): number {
  return 20_000_000 + (parseInt(imageDigest(image).slice(0, 6), 16) % 80_000_000);
}
