import { parseManifest } from './documents.ts';

/** A Deployment as a workspace manifest declares it: what the tree compares with the cluster. */
export interface DeclaredDeploymentInfo {
  readonly namespace: string;
  readonly name: string;
  /** Zero-based line of the document's start. */
  readonly line: number;
  readonly replicas?: number;
  /** Container name -> image. */
  readonly images: Map<string, string>;
}

interface DeploymentObject {
  metadata?: { namespace?: unknown };
  spec?: { replicas?: unknown; template?: { spec?: { containers?: unknown } } };
}

/**
 * The Deployments a workspace file declares. Never throws, whatever the file holds: documents
 * that cannot be read (YAML errors, alias bombs) are left out, as kubectl would refuse them.
 */
export function declaredDeployments(text: string): DeclaredDeploymentInfo[] {
  if (!/^kind:\s*Deployment\b/m.test(text)) {
    return [];
  }
  const out: DeclaredDeploymentInfo[] = [];
  try {
    const file = parseManifest(text);
    for (const doc of file.documents) {
      if (doc.kind !== 'Deployment' || !doc.name) continue;
      const obj = doc.toObject() as DeploymentObject | undefined;
      if (obj === undefined || obj === null || typeof obj !== 'object') continue;
      const namespace = typeof obj.metadata?.namespace === 'string' ? obj.metadata.namespace : 'default';
      const replicas = obj.spec?.replicas;
      const containers = obj.spec?.template?.spec?.containers;
      const images = new Map<string, string>();
      for (const c of Array.isArray(containers) ? (containers as unknown[]) : []) {
        const { name, image } = (c ?? {}) as { name?: unknown; image?: unknown };
        if (typeof name === 'string') images.set(name, typeof image === 'string' ? image : '');
      }
      out.push({ namespace, name: doc.name, line: file.rangeOf(doc.span).start.line, replicas: typeof replicas === 'number' ? replicas : undefined, images });
    }
  } catch {
    // The core refuses rather than throws; this is the index's last line of defence.
  }
  return out;
}
