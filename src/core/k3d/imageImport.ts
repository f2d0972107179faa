// `k3d image import IMAGE -c CLUSTER -m auto|direct|tools-node` (cmd/image/imageImport.go,
// pkg/client/tools.go): the argument array, and k3d's INFO/ERRO lines read as per-node progress.
import { clusterNameArg } from './args.ts';
import { K3dError } from './errors.ts';
import type { K3dLogLine } from './logLine.ts';

export type ImportMode = 'auto' | 'direct' | 'tools-node';
export const IMPORT_MODES: readonly ImportMode[] = ['auto', 'direct', 'tools-node'];

export function importModeFrom(value: unknown): ImportMode {
  return value === 'direct' || value === 'tools-node' ? value : 'auto';
}

export function imageImportModeArgs(image: string, cluster: string, mode: ImportMode): string[] {
  if (typeof image !== 'string' || image === '' || image.startsWith('-') || /\s/.test(image)) {
    throw new K3dError('failed', `${JSON.stringify(image).slice(0, 80)} is not an image name. Nothing was run.`);
  }
  return ['image', 'import', image, '-c', clusterNameArg(cluster), '-m', importModeFrom(mode)];
}

export type ImportEvent =
  /** k3d started importing into this node (direct: from the stream; tools-node: from the tarball). */
  | { kind: 'node'; node: string }
  /** k3d said importing into this node failed (it still may claim success: tools-node logs and goes on). */
  | { kind: 'nodeFailed'; node: string; reason: string }
  /** Another step: saving, loading, removing the tools node... */
  | { kind: 'step'; message: string };

const NODE_START = /^Importing images (?:'\[[^\]]*\]'|from tarball '[^']*') into node '([^']+)'/;
const NODE_FAILED = /failed to import images in node '([^']+)'(?::\s*(.*))?/;

/** One k3d log line of `image import`, as progress; undefined for lines that say nothing new. */
export function importEvent(line: K3dLogLine): ImportEvent | undefined {
  const msg = line.message.trim();
  if (msg === '') return undefined;
  if (line.level === 'error' || line.level === 'fatal') {
    const failed = msg.match(NODE_FAILED);
    if (failed) return { kind: 'nodeFailed', node: failed[1], reason: failed[2]?.trim() || 'k3d did not say why' };
    return undefined;
  }
  if (line.level !== 'info') return undefined;
  const node = msg.match(NODE_START);
  if (node) return { kind: 'node', node: node[1] };
  return { kind: 'step', message: msg };
}

/** What the user reads while it runs: `k3d-dev-agent-1 (3/3)`, or k3d's step. */
export function importProgressMessage(event: ImportEvent, nodesSeen: number, nodesTotal: number): string {
  switch (event.kind) {
    case 'node':
      return `into ${event.node}${nodesTotal > 0 ? ` (${Math.min(nodesSeen, nodesTotal)}/${nodesTotal})` : ''}`;
    case 'nodeFailed':
      return `${event.node} failed`;
    case 'step':
      return event.message.replace(/\.\.\.$/, '…');
  }
}
