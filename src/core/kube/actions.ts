// The kubectl verbs the workloads tree offers, as API calls: what `kubectl scale`,
// `set image`, `rollout restart`, `delete` and `create deployment` send.
import type { KubeHttp } from './http.ts';
import type { KubeObject } from './reflector.ts';
import { loadYaml } from '../lazy.ts';

const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
// Imperative changes get their own field managers (as kubectl's kubectl-scale, kubectl-set...),
// so that an apply that disagrees names what changed the field.
const MANAGER = { scale: 'k3d-deploy-scale', set: 'k3d-deploy-set', rollout: 'k3d-deploy-rollout', create: 'k3d-deploy-create' };

export interface ObjectRef {
  /** e.g. `apps/v1` or `v1`. */
  apiVersion: string;
  /** Plural resource, e.g. `deployments`. */
  resource: string;
  namespace?: string;
  name: string;
}

export function objectPath(ref: ObjectRef): string {
  const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  return `${base}${ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : ''}/${ref.resource}/${encodeURIComponent(ref.name)}`;
}

export const deploymentRef = (namespace: string, name: string): ObjectRef => ({ apiVersion: 'apps/v1', resource: 'deployments', namespace, name });
export const podRef = (namespace: string, name: string): ObjectRef => ({ apiVersion: 'v1', resource: 'pods', namespace, name });

/** `kubectl scale deployment/NAME --replicas=N`, through the scale subresource. */
export function scaleDeployment(http: KubeHttp, namespace: string, name: string, replicas: number): Promise<KubeObject> {
  return http.json(`${objectPath(deploymentRef(namespace, name))}/scale`, {
    method: 'PATCH',
    contentType: MERGE,
    query: { fieldManager: MANAGER.scale },
    body: JSON.stringify({ spec: { replicas } }),
  });
}

/** `kubectl set image deployment/NAME CONTAINER=IMAGE`: a strategic merge on the containers list. */
export function setDeploymentImage(http: KubeHttp, namespace: string, name: string, container: string, image: string): Promise<KubeObject> {
  return http.json(objectPath(deploymentRef(namespace, name)), {
    method: 'PATCH',
    contentType: STRATEGIC,
    query: { fieldManager: MANAGER.set },
    body: JSON.stringify({ spec: { template: { spec: { containers: [{ name: container, image }] } } } }),
  });
}

/** `kubectl rollout restart`: a new pod-template annotation makes a new ReplicaSet. */
export function restartDeployment(http: KubeHttp, namespace: string, name: string, now = new Date()): Promise<KubeObject> {
  return http.json(objectPath(deploymentRef(namespace, name)), {
    method: 'PATCH',
    contentType: STRATEGIC,
    query: { fieldManager: MANAGER.rollout },
    body: JSON.stringify({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': now.toISOString() } } } } }),
  });
}

/** `kubectl delete`: background cascade, so a deployment's ReplicaSets and pods go with it. */
export function deleteObject(http: KubeHttp, ref: ObjectRef): Promise<KubeObject> {
  return http.json(objectPath(ref), {
    method: 'DELETE',
    contentType: 'application/json',
    body: JSON.stringify({ propagationPolicy: 'Background' }),
  });
}

/** `kubectl get -o yaml`, without managedFields (as `kubectl get` shows it since 1.21). */
export async function objectYaml(http: KubeHttp, ref: ObjectRef): Promise<string> {
  const obj = await http.json<KubeObject>(objectPath(ref));
  if (obj.metadata) {
    delete (obj.metadata as Record<string, unknown>).managedFields;
  }
  const { stringify } = await loadYaml();
  return stringify(obj, { lineWidth: 0 });
}

/** The container name `kubectl create deployment` derives from an image: `jakousa/dwk-app1:tag` -> `dwk-app1`. */
export function containerNameFromImage(image: string): string {
  let name = image.split('/').pop() ?? image;
  name = name.split('@')[0].split(':')[0];
  return name.replace(/[_.]/g, '-').toLowerCase();
}

/** `kubectl create deployment NAME --image=IMAGE [--replicas=N]`, the object it sends. */
export function deploymentManifest(namespace: string, name: string, image: string, replicas = 1): KubeObject & Record<string, unknown> {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      strategy: {},
      template: {
        metadata: { labels },
        spec: { containers: [{ name: containerNameFromImage(image), image, resources: {} }] },
      },
    },
    status: {},
  };
}

export function createDeployment(http: KubeHttp, namespace: string, name: string, image: string, replicas = 1): Promise<KubeObject> {
  return http.json(`/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments`, {
    method: 'POST',
    contentType: 'application/json',
    query: { fieldManager: MANAGER.create },
    body: JSON.stringify(deploymentManifest(namespace, name, image, replicas)),
  });
}
