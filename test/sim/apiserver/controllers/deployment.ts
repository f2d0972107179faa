// Deployment controller: one ReplicaSet per pod template (pod-template-hash), rolling updates with maxSurge/maxUnavailable,
// revisions, status and the Available/Progressing conditions that `kubectl rollout status` reads.
import type { Api } from '../rest.ts';
import type { Recorder } from '../events.ts';
import { kindOf } from '../kinds.ts';
import { canonical } from '../patch.ts';
import { WorkQueue, controllerOf } from './queue.ts';
import { clone, fnv32a, nowISO, safeEncode } from '../util.ts';
import type { Obj } from '../util.ts';

const SOURCE = { component: 'deployment-controller' };
const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
/** The controller's limit on the revision-history annotation's length (maxRevHistoryLengthInChars). */
const REVISION_HISTORY_CHARS = 2000;

function templateHash(template: Obj, collisionCount = 0): string {
  return safeEncode(fnv32a(JSON.stringify(canonical(template)) + (collisionCount ? String(collisionCount) : '')));
}

/**
 * A template as EqualIgnoreHash compares it: without the pod-template-hash label, and with null, empty maps and
 * empty lists as absent (Go's semantic equality: `kubectl rollout undo` sends `creationTimestamp: null`, which a
 * template applied from YAML never had).
 */
function withoutHash(template: Obj): unknown {
  const t = clone(template);
  if (t.metadata?.labels) delete t.metadata.labels['pod-template-hash'];
  return canonical(semantic(t));
}

function semantic(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(semantic) : undefined;
  if (v !== null && typeof v === 'object') {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      const s = semantic(x);
      if (s !== undefined) out[k] = s;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v ?? undefined;
}

function intOrPercent(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const s = String(v ?? '0');
  if (s.endsWith('%')) {
    const x = (Number(s.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  return Number(s) || 0;
}

function revisionOf(rs: Obj): number {
  return Number(rs.metadata.annotations?.[REVISION] ?? 0);
}

function condition(type: string, status: string, reason: string, message: string, prev?: Obj): Obj {
  const now = nowISO();
  const same = prev && prev.status === status;
  return {
    type,
    status,
    lastUpdateTime: prev && prev.reason === reason && prev.message === message ? prev.lastUpdateTime : now,
    lastTransitionTime: same ? prev.lastTransitionTime : now,
    reason,
    message,
  };
}

export class DeploymentController {
  readonly queue: WorkQueue;
  private api: Api;
  private recorder: Recorder;

  constructor(api: Api, recorder: Recorder) {
    this.api = api;
    this.recorder = recorder;
    this.queue = new WorkQueue((k) => this.reconcile(k));
    api.store.hub.subscribe((c) => {
      if (c.kind === 'Deployment') this.queue.addObject(c.object);
      if (c.kind === 'ReplicaSet') this.queue.addController(c.object, 'Deployment');
      if (c.kind === 'Pod' && c.type === 'DELETED') {
        const rsRef = controllerOf(c.object);
        const rs = rsRef?.kind === 'ReplicaSet' ? api.store.peek('ReplicaSet', c.object.metadata.namespace, rsRef.name) : undefined;
        const dRef = rs ? controllerOf(rs) : undefined;
        if (dRef?.kind === 'Deployment') this.queue.add(`${c.object.metadata.namespace}/${dRef.name}`);
      }
    });
    for (const d of api.store.list('Deployment')) this.queue.addObject(d);
  }

  private scale(rs: Obj, to: number, d: Obj): Obj {
    const from = rs.spec.replicas ?? 0;
    if (from === to) return rs;
    const next = clone(rs);
    next.spec.replicas = to;
    next.metadata.annotations = { ...next.metadata.annotations, 'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas), 'deployment.kubernetes.io/max-replicas': String(d.spec.replicas + this.surge(d)) };
    const saved = this.api.commit(kindOf('ReplicaSet'), rs, next, { fieldManager: 'k3s' }, undefined, 'Update');
    const verb = to > from ? 'up' : 'down';
    this.recorder.record(d, 'Normal', 'ScalingReplicaSet', `Scaled ${verb} replica set ${rs.metadata.name} from ${from} to ${to}`, SOURCE);
    return saved;
  }

  private surge(d: Obj): number {
    if (d.spec.strategy?.type !== 'RollingUpdate') return 0;
    return intOrPercent(d.spec.strategy.rollingUpdate?.maxSurge, d.spec.replicas, true);
  }

  private reconcile(key: string): void {
    const [ns, name] = key.split('/') as [string, string];
    const dInfo = kindOf('Deployment');
    const rsInfo = kindOf('ReplicaSet');
    const d = this.api.tryGet(dInfo, ns, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const all = this.api.store.list('ReplicaSet', ns).filter((rs) => controllerOf(rs)?.uid === d.metadata.uid).map(clone);
    const maxRev = all.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    let newRS = all.find((rs) => JSON.stringify(withoutHash(rs.spec.template)) === JSON.stringify(withoutHash(d.spec.template)));
    const olds = all.filter((rs) => rs !== newRS);
    const replicas = d.spec.replicas ?? 1;
    const rolling = d.spec.strategy?.type !== 'Recreate';
    const maxSurge = rolling ? intOrPercent(d.spec.strategy?.rollingUpdate?.maxSurge, replicas, true) : 0;
    let maxUnavailable = rolling ? intOrPercent(d.spec.strategy?.rollingUpdate?.maxUnavailable, replicas, false) : replicas;
    if (rolling && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    let createdNew = false;

    if (!newRS) {
      const hash = templateHash(d.spec.template, d.status?.collisionCount);
      const template = clone(d.spec.template);
      template.metadata ??= {};
      template.metadata.labels = { ...template.metadata.labels, 'pod-template-hash': hash };
      const oldTotal = olds.reduce((a, rs) => a + (rs.spec.replicas ?? 0), 0);
      let initial = replicas;
      if (rolling && olds.length) initial = Math.max(0, Math.min(replicas, replicas + maxSurge - oldTotal));
      if (!rolling && oldTotal > 0) initial = 0;
      const annotations: Obj = { ...this.copiedAnnotations(d), 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + maxSurge), [REVISION]: String(maxRev + 1) };
      newRS = this.api.create(rsInfo, ns, {
        metadata: {
          name: `${d.metadata.name}-${hash}`,
          namespace: ns,
          labels: template.metadata.labels,
          annotations,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        spec: {
          replicas: initial,
          minReadySeconds: d.spec.minReadySeconds,
          selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector.matchLabels, 'pod-template-hash': hash } },
          template,
        },
      }, { fieldManager: 'k3s' });
      createdNew = true;
      if (initial > 0) this.recorder.record(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${newRS.metadata.name} from 0 to ${initial}`, SOURCE);
    } else {
      // SetNewReplicaSetAnnotations: the deployment's annotations (a change-cause set after the rollout) are
      // copied to its current ReplicaSet; a ReplicaSet rolled back to takes the next revision, and its old
      // number moves to revision-history (it leaves `kubectl rollout history`).
      const annotations: Obj = { ...newRS.metadata.annotations };
      let changed = false;
      for (const [k, v] of Object.entries(this.copiedAnnotations(d))) {
        if (annotations[k] !== v) {
          annotations[k] = v;
          changed = true;
        }
      }
      const old = revisionOf(newRS);
      if (old < maxRev) {
        annotations[REVISION] = String(maxRev + 1);
        if (newRS.metadata.annotations?.[REVISION] !== undefined) {
          const history = String(annotations[REVISION_HISTORY] ?? '').split(',').filter(Boolean);
          history.push(String(old));
          while (history.join(',').length > REVISION_HISTORY_CHARS && history.length > 1) history.shift();
          annotations[REVISION_HISTORY] = history.join(',');
        }
        changed = true;
      }
      if (changed) {
        const next = clone(newRS);
        next.metadata.annotations = annotations;
        newRS = this.api.commit(rsInfo, newRS, next, { fieldManager: 'k3s' }, undefined, 'Update');
      }
    }
    if (d.metadata.annotations?.[REVISION] !== newRS.metadata.annotations?.[REVISION]) {
      const next = clone(d);
      next.metadata.annotations = { ...next.metadata.annotations, [REVISION]: newRS.metadata.annotations[REVISION] };
      this.api.commit(dInfo, d, next, { fieldManager: 'k3s' }, undefined, 'Update');
    }

    if (!d.spec.paused && !createdNew) {
      if (!rolling) {
        // Recreate waits until the old pods are gone, terminating ones included.
        const oldUids = new Set(olds.map((rs) => rs.metadata.uid));
        const oldPods = this.api.store.list('Pod', ns).some((p) => oldUids.has(controllerOf(p)?.uid ?? '') && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
        const oldActive = oldPods || olds.some((rs) => (rs.spec.replicas ?? 0) > 0);
        if (oldActive) for (const rs of olds) this.scale(rs, 0, d);
        else newRS = this.scale(newRS, replicas, d);
      } else {
        const oldsWithPods = olds.filter((rs) => (rs.spec.replicas ?? 0) > 0);
        if (!oldsWithPods.length) {
          newRS = this.scale(newRS, replicas, d);
        } else {
          // scale up the new ReplicaSet within maxSurge
          const total = all.reduce((a, rs) => a + (rs.spec.replicas ?? 0), 0);
          if ((newRS.spec.replicas ?? 0) < replicas && total < replicas + maxSurge) {
            const up = Math.min(replicas + maxSurge - total, replicas - (newRS.spec.replicas ?? 0));
            newRS = this.scale(newRS, (newRS.spec.replicas ?? 0) + up, d);
          } else if ((newRS.spec.replicas ?? 0) > replicas) newRS = this.scale(newRS, replicas, d);
          // scale down old ReplicaSets within maxUnavailable
          const minAvailable = replicas - maxUnavailable;
          const allCount = all.map((rs) => (rs === newRS || rs.metadata.uid === newRS!.metadata.uid ? newRS! : rs)).reduce((a, rs) => a + (rs.spec.replicas ?? 0), 0);
          const newUnavailable = (newRS.spec.replicas ?? 0) - (newRS.status?.availableReplicas ?? 0);
          let maxScaledDown = allCount - minAvailable - newUnavailable;
          const sorted = [...oldsWithPods].sort((a, b) => Date.parse(a.metadata.creationTimestamp) - Date.parse(b.metadata.creationTimestamp));
          for (let i = 0; i < sorted.length && maxScaledDown > 0; i++) {
            const rs = sorted[i]!;
            const unhealthy = (rs.spec.replicas ?? 0) - (rs.status?.availableReplicas ?? 0);
            const n = Math.min(unhealthy, maxScaledDown);
            if (n > 0) {
              sorted[i] = this.scale(rs, (rs.spec.replicas ?? 0) - n, d);
              maxScaledDown -= n;
            }
          }
          const available = [newRS, ...sorted].reduce((a, rs) => a + Math.min(rs.status?.availableReplicas ?? 0, rs.spec.replicas ?? 0), 0);
          let down = available - minAvailable;
          for (let i = 0; i < sorted.length && down > 0; i++) {
            const rs = sorted[i]!;
            const n = Math.min(rs.spec.replicas ?? 0, down);
            if (n > 0) {
              sorted[i] = this.scale(rs, (rs.spec.replicas ?? 0) - n, d);
              down -= n;
            }
          }
        }
      }
    }
    this.updateStatus(d, newRS, maxUnavailable);
    this.cleanup(d, newRS);
  }

  private copiedAnnotations(d: Obj): Obj {
    const out: Obj = {};
    for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
      if (k === 'kubectl.kubernetes.io/last-applied-configuration' || k === REVISION || k.startsWith('deployment.kubernetes.io/')) continue;
      out[k] = v;
    }
    return out;
  }

  /**
   * cleanupDeployment: the oldest old ReplicaSets beyond revisionHistoryLimit go, counting every live old one
   * but deleting only those scaled to zero. As the real controller, only once the rollout is complete (or the
   * deployment paused): a rollout stuck on a bad image keeps all its history.
   */
  private cleanup(d0: Obj, newRS: Obj): void {
    const d = this.api.tryGet(kindOf('Deployment'), d0.metadata.namespace, d0.metadata.name);
    if (!d || d.spec.revisionHistoryLimit === undefined) return;
    const s = d.status ?? {};
    const replicas = d.spec.replicas ?? 1;
    const complete = (s.updatedReplicas ?? 0) === replicas && (s.replicas ?? 0) === replicas && (s.availableReplicas ?? 0) === replicas && (s.observedGeneration ?? 0) >= d.metadata.generation;
    if (!complete && !d.spec.paused) return;
    const olds = this.api.store.list('ReplicaSet', d.metadata.namespace)
      .filter((rs) => controllerOf(rs)?.uid === d.metadata.uid && !rs.metadata.deletionTimestamp && rs.metadata.uid !== newRS.metadata.uid)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    const diff = olds.length - d.spec.revisionHistoryLimit;
    for (const rs of olds.slice(0, Math.max(0, diff))) {
      if ((rs.spec.replicas ?? 0) !== 0 || (rs.status?.replicas ?? 0) !== 0) continue;
      this.api.delete(kindOf('ReplicaSet'), rs.metadata.namespace, rs.metadata.name, {});
    }
  }

  private updateStatus(d0: Obj, newRS: Obj, maxUnavailable: number): void {
    const dInfo = kindOf('Deployment');
    const d = this.api.tryGet(dInfo, d0.metadata.namespace, d0.metadata.name);
    if (!d) return;
    const all = this.api.store.list('ReplicaSet', d.metadata.namespace).filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
    const cur = all.find((rs) => rs.metadata.uid === newRS.metadata.uid) ?? newRS;
    const replicas = d.spec.replicas ?? 1;
    const sum = (f: (rs: Obj) => number): number => all.reduce((a, rs) => a + f(rs), 0);
    const total = sum((rs) => rs.status?.replicas ?? 0);
    const updated = cur.status?.replicas ?? 0;
    const ready = sum((rs) => rs.status?.readyReplicas ?? 0);
    const available = sum((rs) => rs.status?.availableReplicas ?? 0);
    const prev: Obj[] = d.status?.conditions ?? [];
    const prevOf = (t: string): Obj | undefined => prev.find((c) => c.type === t);
    const availableOk = available >= replicas - maxUnavailable;
    const conditions = [
      availableOk
        ? condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', prevOf('Available'))
        : condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', prevOf('Available')),
    ];
    const complete = updated === replicas && available === replicas && total === replicas && (cur.spec.replicas ?? 0) === replicas;
    const rsName = cur.metadata.name;
    const pp = prevOf('Progressing');
    if (complete) conditions.push(condition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`, pp));
    else if (pp && pp.message?.includes(`"${rsName}"`)) conditions.push(condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`, pp));
    else conditions.push(condition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${rsName}"`, pp));
    const status: Obj = { observedGeneration: d.metadata.generation };
    if (total) status.replicas = total;
    if (updated) status.updatedReplicas = updated;
    if (ready) status.readyReplicas = ready;
    if (available) status.availableReplicas = available;
    const unavailable = Math.max(0, replicas - available);
    if (unavailable) status.unavailableReplicas = unavailable;
    status.conditions = conditions;
    if (d.status?.collisionCount) status.collisionCount = d.status.collisionCount;
    const strip = (s: Obj | undefined): string => JSON.stringify(canonical({ ...s, conditions: (s?.conditions ?? []).map((c: Obj) => ({ ...c, lastUpdateTime: 0, lastTransitionTime: 0 })) }));
    if (strip(d.status) !== strip(status)) this.api.updateStatus('Deployment', { ...d, status });
  }
}
