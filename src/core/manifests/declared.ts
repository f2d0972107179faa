import { parseManifest } from './documents.ts';
import { documentImages } from './images.ts';
import { getNode } from './node.ts';

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

/**
 * The Deployments a workspace file declares. It reads the documents' outlines (the fast
 * scanner: the index reads every workspace YAML at activation), never throws, and leaves out
 * documents whose images are not read either (an alias bomb; a large document that only the
 * full parser reads).
 */
export function declaredDeployments(text: string): DeclaredDeploymentInfo[] {
  if (!/^kind:\s*Deployment\b/m.test(text)) {
    return [];
  }
  const out: DeclaredDeploymentInfo[] = [];
  try {
    const file = parseManifest(text);
    for (const doc of file.documents) {
      if (doc.imagesRefusal !== undefined || doc.kind !== 'Deployment' || !doc.name) continue;
      const replicas = getNode(doc.outline ?? undefined, ['spec', 'replicas']);
      const images = new Map<string, string>();
      for (const image of documentImages(doc)) {
        if (image.containerList === 'containers' && image.containerName !== undefined) images.set(image.containerName, image.image);
      }
      out.push({
        namespace: doc.namespace ?? 'default',
        name: doc.name,
        line: file.rangeOf(doc.span).start.line,
        replicas: replicas?.kind === 'scalar' && typeof replicas.value === 'number' ? replicas.value : undefined,
        images,
      });
    }
  } catch {
    // The core refuses rather than throws; this is the index's last line of defence.
  }
  return out;
}
