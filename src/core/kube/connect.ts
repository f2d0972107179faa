import { KubeHttp } from './http.ts';
import { loadClientNode, loadKubeConfig } from './gateway.ts';

/** An API connection for one kubeconfig context, with kubectl's merge of the kubeconfig files. */
export async function connectContext(contextName: string, kubeconfigFiles: string[]): Promise<KubeHttp> {
  const k8s = await loadClientNode();
  const kc = await loadKubeConfig(k8s, contextName, kubeconfigFiles);
  return new KubeHttp(kc);
}
