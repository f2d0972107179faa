// apiVersion + kind -> the REST resource, from the cluster's discovery documents (cached per
// group version), as kubectl's RESTMapper does.
import type { KubeHttp } from './http.ts';
import { KubeError } from './gateway.ts';

export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  /** Plural REST name, e.g. `deployments`. */
  resource: string;
  namespaced: boolean;
  verbs: string[];
}

export class Discovery {
  private readonly http: KubeHttp;
  private readonly cache = new Map<string, Promise<ResourceInfo[]>>();

  constructor(http: KubeHttp) {
    this.http = http;
  }

  /** Undefined when the cluster does not serve the kind (an unknown kind or a missing CRD). */
  async find(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const resources = await this.groupVersion(apiVersion);
    return resources.find((r) => r.kind === kind);
  }

  private groupVersion(apiVersion: string): Promise<ResourceInfo[]> {
    let entry = this.cache.get(apiVersion);
    if (!entry) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      entry = this.http
        .json<{ resources?: Array<{ name: string; kind: string; namespaced: boolean; verbs?: string[] }> }>(path)
        .then((list) =>
          (list.resources ?? [])
            .filter((r) => !r.name.includes('/'))
            .map((r) => ({ apiVersion, kind: r.kind, resource: r.name, namespaced: r.namespaced, verbs: r.verbs ?? [] })),
        )
        .catch((e: unknown) => {
          this.cache.delete(apiVersion);
          if (e instanceof KubeError && e.kind === 'notFound') {
            return [];
          }
          throw e;
        });
      this.cache.set(apiVersion, entry);
    }
    return entry;
  }
}
