import * as vscode from 'vscode';
import type { Ctx } from '../../ctx.ts';

export const KUBECONFIG_SCHEME = 'k3d-kubeconfig';
/** The raw document's name says what it holds: it is the one view of a kubeconfig with its keys in clear. */
const RAW_NAME = 'kubeconfig (raw, with secrets).yaml';

/**
 * `k3d-kubeconfig:/<cluster>/kubeconfig.yaml` (secrets masked) or `.../kubeconfig (raw, with
 * secrets).yaml`: read-only, so closing it never asks to save.
 */
export function kubeconfigUri(cluster: string, raw = false): vscode.Uri {
  return vscode.Uri.from({ scheme: KUBECONFIG_SCHEME, path: `/${cluster}/${raw ? RAW_NAME : 'kubeconfig.yaml'}` });
}

/**
 * The content is what `k3d kubeconfig get <cluster>` prints, read when the document opens: with
 * its keys, certificates and tokens masked as `kubectl config view` masks them, or, for the raw
 * document only, as k3d printed it (`kubectl config view --raw`). `redact` is core/kube/redact.ts's, in the
 * commands' lazy part.
 */
export function registerKubeconfigDocuments(ctx: Ctx, redact: (kubeconfig: string) => Promise<string>): void {
  ctx.register(
    vscode.workspace.registerTextDocumentContentProvider(KUBECONFIG_SCHEME, {
      async provideTextDocumentContent(uri) {
        const [, cluster = '', name] = uri.path.split('/');
        let text: string;
        try {
          text = await ctx.k3d.kubeconfig(cluster);
        } catch (e) {
          return `# Could not get the kubeconfig of cluster '${cluster}':\n# ${(e as Error).message.replace(/\n/g, '\n# ')}\n`;
        }
        if (name === RAW_NAME) {
          return text;
        }
        return (
          '# Keys, certificates and tokens are masked, as `kubectl config view` shows them.\n' +
          '# "k3d: Show Kubeconfig (Raw, with Secrets)" shows them in clear.\n' +
          (await redact(text))
        );
      },
    }),
  );
}
