import { watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';

/**
 * Calls `onChange` (debounced) when any of `files` is written, created, replaced by a
 * rename or removed. It watches the parent folders, because k3d and kubectl replace the
 * kubeconfig by renaming a temporary file over it. Folders that do not exist yet are skipped:
 * call again (re-arm) after a refresh to pick them up.
 */
export interface FileWatch {
  /** False when some folder did not exist: arm a new watch later to cover it. */
  readonly complete: boolean;
  dispose(): void;
}

export function watchFiles(files: string[], onChange: () => void, debounceMs = 200): FileWatch {
  const names = new Map<string, Set<string>>();
  for (const file of files) {
    const dir = path.dirname(file);
    const set = names.get(dir) ?? new Set<string>();
    set.add(path.basename(file));
    names.set(dir, set);
  }
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const watchers: FSWatcher[] = [];
  let complete = true;
  for (const [dir, basenames] of names) {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, filename) => {
        if (filename === null || basenames.has(filename.toString())) {
          fire();
        }
      });
      watcher.on('error', () => watcher.close());
      watchers.push(watcher);
    } catch {
      // The folder does not exist yet (no kubeconfig ever written): nothing to watch.
      complete = false;
    }
  }
  return {
    complete,
    dispose() {
      clearTimeout(timer);
      for (const w of watchers) {
        w.close();
      }
    },
  };
}
