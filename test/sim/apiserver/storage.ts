// Object storage: one global resourceVersion counter (as etcd's revision), persisted to state.json.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WatchHub } from './watch.ts';
import type { EventType } from './watch.ts';
import { clone } from './util.ts';
import type { Obj } from './util.ts';

function key(ns: string | undefined, name: string): string {
  return ns ? `${ns}/${name}` : name;
}

export class Store {
  rv = 0;
  readonly hub = new WatchHub();
  private byKind = new Map<string, Map<string, Obj>>();
  private readonly file: string | undefined;
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(dir?: string) {
    if (dir) {
      mkdirSync(dir, { recursive: true });
      this.file = join(dir, 'state.json');
      this.load();
    }
  }

  private table(kind: string): Map<string, Obj> {
    let t = this.byKind.get(kind);
    if (!t) {
      t = new Map();
      this.byKind.set(kind, t);
    }
    return t;
  }

  get(kind: string, ns: string | undefined, name: string): Obj | undefined {
    const o = this.table(kind).get(key(ns, name));
    return o && clone(o);
  }

  /** Live reference, not a copy: only for read-only scans. */
  peek(kind: string, ns: string | undefined, name: string): Obj | undefined {
    return this.table(kind).get(key(ns, name));
  }

  list(kind: string, ns?: string): Obj[] {
    const out: Obj[] = [];
    for (const o of this.table(kind).values()) {
      if (ns === undefined || o.metadata.namespace === ns) out.push(o);
    }
    return out.sort((a, b) => {
      const an = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
      const bn = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
      return an < bn ? -1 : an > bn ? 1 : 0;
    });
  }

  /** Writes an object (create or replace), stamping a new resourceVersion. Returns a copy. */
  put(kind: string, obj: Obj): Obj {
    const t = this.table(kind);
    const k = key(obj.metadata.namespace, obj.metadata.name);
    const prev = t.get(k);
    const type: EventType = prev ? 'MODIFIED' : 'ADDED';
    this.rv++;
    const stored = clone(obj);
    stored.metadata.resourceVersion = String(this.rv);
    t.set(k, stored);
    this.hub.publish({ type, kind, rv: this.rv, object: clone(stored), prev });
    this.scheduleSave();
    return clone(stored);
  }

  remove(kind: string, ns: string | undefined, name: string): Obj | undefined {
    const t = this.table(kind);
    const k = key(ns, name);
    const old = t.get(k);
    if (!old) return undefined;
    t.delete(k);
    this.rv++;
    const gone = clone(old);
    gone.metadata.resourceVersion = String(this.rv);
    this.hub.publish({ type: 'DELETED', kind, rv: this.rv, object: clone(gone) });
    this.scheduleSave();
    return gone;
  }

  kinds(): string[] {
    return [...this.byKind.keys()];
  }

  private load(): void {
    if (!this.file) return;
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return;
    }
    const state = JSON.parse(text) as { rv: number; objects: Record<string, Obj[]> };
    this.rv = state.rv;
    for (const [kind, objs] of Object.entries(state.objects)) {
      const t = this.table(kind);
      for (const o of objs) t.set(key(o.metadata.namespace, o.metadata.name), o);
    }
    // Watch history does not survive a restart: older resourceVersions are gone.
    this.hub.compactTo(this.rv);
  }

  /**
   * Saves once writes pause for a second (at the latest 10 s after the first unsaved write):
   * serialising thousands of objects takes ~100 ms, which must not stall every burst of
   * requests. A stop (SIGTERM) saves at once, so nothing is lost across stop/start.
   */
  private scheduleSave(): void {
    if (!this.file) return;
    this.firstUnsaved ??= Date.now();
    if (this.saveTimer) clearTimeout(this.saveTimer);
    const wait = Math.max(0, Math.min(1000, this.firstUnsaved + 10_000 - Date.now()));
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.saveNow();
    }, wait);
  }

  private firstUnsaved: number | undefined;

  saveNow(): void {
    if (!this.file) return;
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    this.firstUnsaved = undefined;
    const objects: Record<string, Obj[]> = {};
    for (const [kind, t] of this.byKind) objects[kind] = [...t.values()];
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ rv: this.rv, objects }));
    renameSync(tmp, this.file);
  }
}
