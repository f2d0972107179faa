import * as vscode from 'vscode';
import type { Ctx } from '../../ctx.ts';

export const KUBECONFIG_SCHEME = 'k3d-kubeconfig';

/** `k3d-kubeconfig:/<cluster>/kubeconfig.yaml`: read-only, so closing it never asks to save. */
export function kubeconfigUri(cluster: string): vscode.Uri {
  return vscode.Uri.from({ scheme: KUBECONFIG_SCHEME, path: `/${cluster}/kubeconfig.yaml` });
}

/** The content is what `k3d kubeconfig get <cluster>` prints, read when the document opens. */
export function registerKubeconfigDocuments(ctx: Ctx): void {
  ctx.register(
    vscode.workspace.registerTextDocumentContentProvider(KUBECONFIG_SCHEME, {
      async provideTextDocumentContent(uri) {
        const cluster = uri.path.split('/')[1] ?? '';
        try {
          return await ctx.k3d.kubeconfig(cluster);
        } catch (e) {
          return `# Could not get the kubeconfig of cluster '${cluster}':\n# ${(e as Error).message.replace(/\n/g, '\n# ')}\n`;
        }
      },
    }),
  );
}
