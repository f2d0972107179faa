// Checks made before k3d is spawned, so a typo gets an answer at once and not after a
// 40-second failure. The rules are k3d's own (pkg/util/filter.go ValidateHostname).

export const MAX_CLUSTER_NAME_LENGTH = 32;

/** Returns why `name` is not a valid k3d cluster name, or undefined when it is. */
export function validateClusterName(name: string): string | undefined {
  if (name.length === 0) {
    return 'Enter a name for the cluster.';
  }
  if (name.length > MAX_CLUSTER_NAME_LENGTH) {
    return `The name is ${name.length} characters long; k3d allows at most ${MAX_CLUSTER_NAME_LENGTH}.`;
  }
  if (name.startsWith('-') || name.endsWith('-')) {
    return 'The name must not start or end with a dash.';
  }
  const bad = [...name].find((c) => !/[A-Za-z0-9-]/.test(c));
  if (bad !== undefined) {
    return `The name contains '${bad}': use only letters, digits and '-' (an RFC 1123 hostname).`;
  }
  return undefined;
}

/** Node counts typed into the wizard: whole numbers in a range a laptop can run. */
export function validateNodeCount(text: string, what: 'servers' | 'agents'): string | undefined {
  const min = what === 'servers' ? 1 : 0;
  const max = 9;
  if (!/^\d+$/.test(text.trim())) {
    return `Enter the number of ${what} as a whole number (${min}-${max}).`;
  }
  const n = Number(text.trim());
  if (n < min || n > max) {
    return `The number of ${what} must be between ${min} and ${max}.`;
  }
  return undefined;
}

// '[HOST:][HOSTPORT:]CONTAINERPORT[/PROTOCOL][@NODEFILTER]', as k3d's --port flag takes it.
const PORT_MAPPING =
  /^(?:(?:(?<host>\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):)?(?<hostPort>\d{1,5}(?:-\d{1,5})?):)?(?<containerPort>\d{1,5}(?:-\d{1,5})?)(?:\/(?<proto>tcp|udp|sctp))?(?:@(?<filter>[A-Za-z]+(?::(?:\*|\d+(?:-\d+)?|first|last))?(?::(?:proxy|direct))?(?:;[A-Za-z]+(?::(?:\*|\d+(?:-\d+)?|first|last))?(?::(?:proxy|direct))?)*(?:\[[a-z0-9,]+\])?))?$/;

/** Validates one port mapping such as `8081:80@loadbalancer` (k3d v5 filters may end in :proxy or :direct, pkg/util/filter.go). */
export function validatePortMapping(spec: string): string | undefined {
  const m = spec.match(PORT_MAPPING);
  if (!m?.groups) {
    return `'${spec}' is not a port mapping. Use [HOST:][HOSTPORT:]CONTAINERPORT[/PROTOCOL][@NODEFILTER], e.g. 8081:80@loadbalancer.`;
  }
  for (const port of [m.groups.hostPort, m.groups.containerPort]) {
    for (const part of port?.split('-') ?? []) {
      if (Number(part) < 1 || Number(part) > 65535) {
        return `Port ${part} in '${spec}' is outside 1-65535.`;
      }
    }
  }
  return undefined;
}

/** Splits the wizard's comma- or space-separated port mappings and validates each. */
export function parsePortMappings(text: string): { mappings: string[]; error?: string } {
  const mappings = text.split(/[\s,]+/).filter((s) => s !== '');
  for (const spec of mappings) {
    const error = validatePortMapping(spec);
    if (error) {
      return { mappings, error };
    }
  }
  return { mappings };
}
