// Short pod names for the lines of several pods in one channel, like stern's but shorter: the
// name, its padded prefix and a stable colour slot.

/**
 * Short names for pods, like stern's but shorter: `hashgenerator-dep-5d8f7c9b4-x2k9l` -> `x2k9l`.
 * A name keeps the shortest run of trailing dash-separated parts that is at least `minChars` long
 * and unique among the pods that are named at the same time; a name, once given, does not change.
 */
export class PodNamer {
  private readonly names = new Map<string, string>();
  private readonly minChars: number;

  constructor(minChars = 4) {
    this.minChars = minChars;
  }

  /** The short name of `pod`, choosing one if it has none yet. */
  name(pod: string): string {
    const known = this.names.get(pod);
    if (known !== undefined) {
      return known;
    }
    const taken = new Set(this.names.values());
    const parts = pod.split('-');
    let short = pod;
    for (let n = 1; n <= parts.length; n++) {
      const candidate = parts.slice(-n).join('-');
      if (candidate.length >= this.minChars && !taken.has(candidate)) {
        short = candidate;
        break;
      }
    }
    this.names.set(pod, short);
    return short;
  }

  /** The pod left: its short name may be given again. */
  forget(pod: string): void {
    this.names.delete(pod);
  }

  /** The widest short name in use, for aligning prefixes. */
  get width(): number {
    let width = 0;
    for (const short of this.names.values()) {
      width = Math.max(width, short.length);
    }
    return width;
  }
}

/** `[x2k9l]` padded to `width` so the text after it lines up: `[x2k9l] `, `[web-0] `. */
export function podPrefix(short: string, width = 0): string {
  return `[${short}]`.padEnd(width + 2) + ' ';
}

/** A stable colour slot for a pod, for adapters that can colour (FNV-1a of the name). */
export function colorIndex(name: string, colors = 6): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % colors;
}
