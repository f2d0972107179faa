import { loadPart } from '../../core/lazy.ts';

export type ClusterCommands = typeof import('./part.ts');

/** The cluster commands' bodies (dist/clusterCommands.js), loaded on first use. */
export const loadClusterCommands = (): Promise<ClusterCommands> => loadPart('clusterCommands.js', () => import('./part.ts'));
