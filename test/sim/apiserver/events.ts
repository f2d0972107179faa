// Event recording (core/v1 Events), with the count/lastTimestamp aggregation of client-go's recorder.
import type { Api } from './rest.ts';
import { apiVersionOf, kindOf } from './kinds.ts';
import { nowISO } from './util.ts';
import type { Obj } from './util.ts';

export interface Source { component: string; host?: string }

export class Recorder {
  private api: Api;
  private counter = Date.now() * 1000;

  constructor(api: Api) {
    this.api = api;
  }

  record(obj: Obj, type: 'Normal' | 'Warning', reason: string, message: string, source: Source, fieldPath?: string): void {
    const info = kindOf(obj.kind);
    const ns = obj.metadata.namespace ?? 'default';
    const eventInfo = kindOf('Event');
    const now = nowISO();
    const existing = this.api.store.list('Event', ns).find((e) => e.involvedObject?.uid === obj.metadata.uid && e.reason === reason && e.message === message && e.type === type && e.source?.component === source.component);
    try {
      if (existing) {
        const next = { ...existing, count: (existing.count ?? 1) + 1, lastTimestamp: now };
        this.api.commit(eventInfo, existing, next, { fieldManager: source.component === 'kubelet' ? 'k3s' : 'k3s' }, undefined, 'Update');
        return;
      }
      this.counter++;
      const involved: Obj = { kind: info.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, uid: obj.metadata.uid, apiVersion: apiVersionOf(info), resourceVersion: obj.metadata.resourceVersion };
      if (!obj.metadata.namespace) delete involved.namespace;
      if (fieldPath) involved.fieldPath = fieldPath;
      const src: Obj = { component: source.component };
      if (source.host) src.host = source.host;
      this.api.create(eventInfo, ns, {
        metadata: { name: `${obj.metadata.name}.${this.counter.toString(16).slice(-16).padStart(16, '0')}`, namespace: ns },
        involvedObject: involved,
        reason,
        message,
        source: src,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: source.component,
        reportingInstance: source.host ?? '',
      }, { fieldManager: 'k3s' });
    } catch (e) {
      console.error('event recording failed', e);
    }
  }
}
