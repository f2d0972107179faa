/**
 * The namespaces Kubernetes and k3s create for themselves. The Workloads tree groups (or hides)
 * them, and the Logs and workload pickers leave them out, so a learner sees their own objects first.
 */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

/** True for kube-system, kube-public and kube-node-lease. */
export function isSystemNamespace(namespace: string | undefined): boolean {
  return SYSTEM_NAMESPACES.has(namespace ?? '');
}

/** True for an object outside the system namespaces (an object with no namespace counts as the user's). */
export function inUserNamespace(object: { metadata?: { namespace?: string } }): boolean {
  return !isSystemNamespace(object.metadata?.namespace);
}
