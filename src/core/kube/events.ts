// Events (core/v1) as the tree and Describe show them: which events belong to an object (and,
// for a deployment, to its ReplicaSets and their pods), grouped by reason the way
// `kubectl describe` lists them, newest first, and the warning a failing object's row shows.
import type { V1Pod } from '@kubernetes/client-node';
import { humanDuration, podSummary } from './status.ts';

export interface KubeEvent {
  metadata?: { name?: string; namespace?: string; uid?: string; creationTimestamp?: string | Date };
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | Date | null;
  lastTimestamp?: string | Date | null;
  eventTime?: string | Date | null;
  series?: { count?: number; lastObservedTime?: string | Date } | null;
  source?: { component?: string; host?: string };
  reportingComponent?: string;
}

/** What an event names: enough to match it to a live object (by uid, or by kind/namespace/name). */
export interface EventSubject {
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

/** One row of events: the same object, type, reason and message, its counts added up. */
export interface EventGroup {
  /** Stable while the group exists: subject uid (or kind/name), type, reason and message. */
  id: string;
  type: string;
  reason: string;
  message: string;
  count: number;
  /** When it was last seen and first seen (ms since epoch). */
  last: number;
  first: number;
  subject: EventSubject;
  /** kubectl's FROM column. */
  from: string;
}

export function eventSubject(e: KubeEvent): EventSubject {
  const o = e.involvedObject ?? {};
  return { kind: o.kind ?? '', namespace: o.namespace ?? e.metadata?.namespace, name: o.name ?? '', uid: o.uid };
}

function time(t: string | Date | null | undefined): number {
  if (!t) return 0;
  const ms = new Date(t).getTime();
  return Number.isNaN(ms) ? 0 : ms;
}

/** When an event last happened: lastTimestamp, the series' last observation, eventTime, or creation. */
export function lastSeen(e: KubeEvent): number {
  return Math.max(time(e.lastTimestamp), time(e.series?.lastObservedTime), time(e.eventTime), time(e.firstTimestamp)) || time(e.metadata?.creationTimestamp);
}

function firstSeen(e: KubeEvent): number {
  return time(e.firstTimestamp) || time(e.eventTime) || time(e.metadata?.creationTimestamp) || lastSeen(e);
}

function countOf(e: KubeEvent): number {
  return Math.max(e.count ?? 0, e.series?.count ?? 0, 1);
}

function subjectKey(s: EventSubject): string {
  return s.uid || `${s.kind}/${s.namespace ?? ''}/${s.name}`;
}

/** Events indexed by the uid of the object they involve (rebuild when the events cache changes). */
export class EventIndex {
  private readonly byUid = new Map<string, KubeEvent[]>();
  private readonly byName = new Map<string, KubeEvent[]>();

  constructor(events: Iterable<KubeEvent>) {
    for (const e of events) {
      const s = eventSubject(e);
      if (s.uid) push(this.byUid, s.uid, e);
      push(this.byName, `${s.kind}/${s.namespace ?? ''}/${s.name}`, e);
    }
  }

  /**
   * The events of these objects. An event names its object's uid; one without a uid (some
   * recorders leave it out) is matched by kind, namespace and name.
   */
  of(objects: Iterable<{ kind?: string; metadata?: { name?: string; namespace?: string; uid?: string } }>): KubeEvent[] {
    const out: KubeEvent[] = [];
    for (const o of objects) {
      const uid = o.metadata?.uid;
      if (uid) out.push(...(this.byUid.get(uid) ?? []));
      const named = this.byName.get(`${o.kind ?? ''}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`) ?? [];
      out.push(...named.filter((e) => !e.involvedObject?.uid || uid === undefined));
    }
    return [...new Set(out)];
  }
}

/**
 * Events grouped as rows: one per object, type, reason and message, counts added, the newest
 * first (ties: by reason, so the order is stable).
 */
export function groupEvents(events: Iterable<KubeEvent>): EventGroup[] {
  const groups = new Map<string, EventGroup>();
  for (const e of events) {
    const subject = eventSubject(e);
    const type = e.type || 'Normal';
    const reason = e.reason ?? '';
    const message = (e.message ?? '').trim();
    const id = `${subjectKey(subject)}|${type}|${reason}|${message}`;
    const last = lastSeen(e);
    const first = firstSeen(e);
    const g = groups.get(id);
    if (g) {
      g.count += countOf(e);
      g.last = Math.max(g.last, last);
      g.first = Math.min(g.first, first);
    } else {
      const from = e.source?.component || e.reportingComponent || '';
      groups.set(id, { id, type, reason, message, count: countOf(e), last, first, subject, from });
    }
  }
  return [...groups.values()].sort((a, b) => b.last - a.last || a.reason.localeCompare(b.reason) || a.id.localeCompare(b.id));
}

/**
 * kubectl describe's AGE of an event row: `2m10s`, or `2m10s (x3 over 5m)` when it happened
 * more than once (k8s.io/kubectl describe.go DescribeEvents).
 */
export function eventAge(g: Pick<EventGroup, 'count' | 'first' | 'last'>, now: number = Date.now()): string {
  const last = humanDuration(now - g.last);
  return g.count > 1 ? `${last} (x${g.count} over ${humanDuration(now - g.first)})` : last;
}

/** `pod/web-7d9c-abcde` */
export function subjectName(s: EventSubject): string {
  return `${s.kind.toLowerCase()}/${s.name}`;
}

export interface EventWarning {
  /** What went wrong in a word: ImagePullBackOff, ErrImagePull, BackOff, FailedScheduling... */
  reason: string;
  /** Why, from the most telling warning (the pull error rather than "Error: ImagePullBackOff"). */
  detail: string;
  subject: EventSubject;
  count: number;
  last: number;
}

const ERROR_ONLY = /^Error: ([A-Za-z]+)$/;

/**
 * The newest warning among these events, for a failing object's row: its reason is the kubelet's
 * `Error: X` word when that is what it said (X), else the event's reason; its detail the newest
 * warning of the same object that says more than `Error: X`.
 */
export function currentWarning(groups: readonly EventGroup[]): EventWarning | undefined {
  const warnings = groups.filter((g) => g.type === 'Warning');
  const newest = warnings[0];
  if (!newest) return undefined;
  const same = warnings.filter((g) => subjectKey(g.subject) === subjectKey(newest.subject));
  const word = ERROR_ONLY.exec(newest.message)?.[1];
  const telling = same.find((g) => !ERROR_ONLY.test(g.message));
  return {
    reason: word ?? newest.reason,
    detail: word ? (telling?.message ?? newest.message) : newest.message,
    subject: newest.subject,
    count: newest.count,
    last: newest.last,
  };
}

/**
 * The warning a pod's row shows: none while it runs well or has finished (its old warnings are
 * history); its headline is the pod's STATUS when that names the failure (CrashLoopBackOff
 * rather than the event's BackOff, ImagePullBackOff between two pulls that said ErrImagePull).
 */
export function podWarning(pod: V1Pod, groups: readonly EventGroup[]): EventWarning | undefined {
  const s = podSummary(pod);
  if (s.health === 'ok' || s.health === 'done') return undefined;
  const w = currentWarning(groups);
  return w && s.health === 'failed' ? { ...w, reason: s.status } : w;
}

/** `ImagePullBackOff: Failed to pull image "x": ... not found` (shortened for a row). */
export function warningText(w: EventWarning, max = 160): string {
  const text = `${w.reason}: ${w.detail.replace(/\s+/g, ' ')}`;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** kubectl describe's Events section: the table, or `<none>`. */
export function eventsTable(groups: readonly EventGroup[], now: number = Date.now(), withObject = false): string {
  if (groups.length === 0) return 'Events:  <none>\n';
  // kubectl describe lists them oldest first.
  const rows = [...groups].reverse().map((g) => [g.type, g.reason, eventAge(g, now), g.from, withObject ? `${subjectName(g.subject)}: ${g.message}` : g.message]);
  const header = ['Type', 'Reason', 'Age', 'From', 'Message'];
  // kubectl's own rule: four dashes under Age too.
  const rule = ['----', '------', '----', '----', '-------'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd();
  return `Events:\n${[header, rule, ...rows].map(line).join('\n')}\n`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
