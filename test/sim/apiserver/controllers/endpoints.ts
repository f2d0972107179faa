// Endpoints controller: each Service with a selector gets an Endpoints object listing its pods' IPs.
import type { Api } from '../rest.ts';
import { kindOf } from '../kinds.ts';
import { labelSelectorToRequirements, matchRequirements } from '../selectors.ts';
import { podReady } from './replicaset.ts';
import { WorkQueue } from './queue.ts';
import { canonical } from '../patch.ts';
import type { Obj } from '../util.ts';

export class EndpointsController {
  readonly queue: WorkQueue;
  private api: Api;

  constructor(api: Api) {
    this.api = api;
    this.queue = new WorkQueue((k) => this.reconcile(k), 100);
    api.store.hub.subscribe((c) => {
      if (c.kind === 'Service') this.queue.addObject(c.object);
      if (c.kind === 'Pod') {
        for (const s of api.store.list('Service', c.object.metadata.namespace)) {
          if (s.spec?.selector) this.queue.add(`${s.metadata.namespace}/${s.metadata.name}`);
        }
      }
    });
    for (const s of api.store.list('Service')) this.queue.add(`${s.metadata.namespace}/${s.metadata.name}`);
  }

  private reconcile(key: string): void {
    const [ns, name] = key.split('/') as [string, string];
    const info = kindOf('Endpoints');
    const svc = this.api.store.get('Service', ns, name);
    const existing = this.api.tryGet(info, ns, name);
    if (!svc) {
      if (existing) this.api.delete(info, ns, name, {});
      return;
    }
    if (!svc.spec?.selector) return;
    const reqs = labelSelectorToRequirements({ matchLabels: svc.spec.selector });
    const pods = this.api.store.list('Pod', ns).filter((p) => matchRequirements(reqs, p.metadata.labels) && p.status?.podIP && !p.metadata.deletionTimestamp);
    const address = (p: Obj): Obj => ({ ip: p.status.podIP, nodeName: p.spec.nodeName, targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid } });
    const ready = pods.filter(podReady).map(address);
    const notReady = pods.filter((p) => !podReady(p)).map(address);
    const ports = (svc.spec.ports ?? []).map((p: Obj) => {
      const port: Obj = { port: typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: p.protocol ?? 'TCP' };
      if (p.name) port.name = p.name;
      return port;
    });
    const subsets = ready.length || notReady.length ? [{ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports }] : undefined;
    const body: Obj = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns, labels: svc.metadata.labels ?? {} } };
    if (subsets) body.subsets = subsets;
    if (!existing) {
      this.api.create(info, ns, body, { fieldManager: 'k3s' });
      return;
    }
    if (JSON.stringify(canonical(existing.subsets)) === JSON.stringify(canonical(body.subsets))) return;
    const next = { ...existing, subsets: body.subsets };
    if (!body.subsets) delete next.subsets;
    this.api.commit(info, existing, next, { fieldManager: 'k3s' }, undefined, 'Update');
  }
}
