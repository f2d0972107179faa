import type { ManifestDocument } from './documents.ts';
import { scalarValue, typeOf, wrongTypeMessage } from './fieldTypes.ts';
import type { FieldType } from './fieldTypes.ts';
import { CONTAINER_LISTS, isBuiltinApi, isBuiltinWorkload, podSpecPath } from './kinds.ts';
import { getNode, getPair } from './node.ts';
import type { PathSegment, YMap, YNode, YPair } from './node.ts';
import { documentHeadSpan, formatFieldPath } from './paths.ts';
import type { ManifestProblem, ProblemSeverity } from './problems.ts';
import type { Span } from './text.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME_KINDS = new Set(['Namespace', 'Service']);
const REPLICATED = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController']);
const SELECTED = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);

/**
 * The checks of one parsed document: the fields every object needs (apiVersion, kind,
 * metadata.name), kind-specific ones (replicas, selectors, Services, ConfigMaps, Secrets) and pod
 * templates (containers, images, ports, env), each problem placed at its field.
 */
export class Checker {
  readonly problems: ManifestProblem[] = [];
  private readonly doc: ManifestDocument;

  constructor(doc: ManifestDocument) {
    this.doc = doc;
  }

  document(root: YNode | null): void {
    if (root === null) {
      return;
    }
    if (root.kind !== 'map') {
      this.add('k8s.notAnObject', 'A Kubernetes manifest is a mapping with apiVersion, kind and metadata.', documentHeadSpan(this.doc), []);
      return;
    }
    const head = documentHeadSpan(this.doc);
    const apiVersion = this.requiredString(root, ['apiVersion'], head, 'apiVersion says which API the object belongs to, e.g. `apiVersion: apps/v1`.');
    const kind = this.requiredString(root, ['kind'], head, 'kind says what the object is, e.g. `kind: Deployment`.');
    const metadataPair = getPair(root, 'metadata');
    if (metadataPair === undefined) {
      this.add('k8s.missingField', 'Missing metadata: every object needs metadata.name.', head, ['metadata']);
    } else if (this.type(metadataPair.value, ['metadata'], 'map')) {
      const metadata = metadataPair.value as YMap;
      const namePair = getPair(metadata, 'name');
      if (namePair === undefined) {
        const message = getPair(metadata, 'generateName')
          ? 'Missing metadata.name: apply needs a fixed name (generateName only works with create).'
          : 'Missing metadata.name: apply finds the object by its name.';
        this.add('k8s.missingField', message, metadataPair.keySpan, ['metadata', 'name']);
      } else if (this.type(namePair.value, ['metadata', 'name'], 'string')) {
        this.name(namePair.value, kind);
      }
      const ns = getPair(metadata, 'namespace');
      if (ns && this.type(ns.value, ['metadata', 'namespace'], 'string') && !DNS_LABEL.test(String(scalarValue(ns.value)))) {
        this.add('k8s.invalidValue', 'A namespace name is lowercase letters, digits and "-", at most 63 characters.', ns.value.span, ['metadata', 'namespace']);
      }
      this.stringMap(metadata, ['metadata'], 'labels');
      this.stringMap(metadata, ['metadata'], 'annotations');
    }
    if (apiVersion === undefined || kind === undefined) {
      return;
    }
    this.kindFields(root, kind, apiVersion);
  }

  private kindFields(root: YMap, kind: string, apiVersion: string): void {
    const specPath = podSpecPath(kind, apiVersion, root);
    if (!isBuiltinApi(apiVersion)) {
      // A custom resource (an Argo Rollout, a Knative Service): only its pod template, when it has one.
      if (specPath !== undefined) {
        this.podSpec(root, specPath, false);
      }
      return;
    }
    if (REPLICATED.has(kind)) {
      this.optional(root, ['spec', 'replicas'], 'integer');
    }
    if (SELECTED.has(kind)) {
      this.selector(root);
    }
    if (kind === 'ConfigMap') {
      this.stringMap(root, [], 'data');
      this.stringMap(root, [], 'binaryData');
    }
    if (kind === 'Secret') {
      this.stringMap(root, [], 'data');
      this.stringMap(root, [], 'stringData');
    }
    if (kind === 'Service') {
      this.service(root);
    }
    if (specPath !== undefined) {
      this.podSpec(root, specPath, isBuiltinWorkload(kind, apiVersion));
    }
  }

  /** `builtin`: a Kubernetes workload, whose containers need names (Knative's need none). */
  private podSpec(root: YMap, specPath: readonly PathSegment[], builtin: boolean): void {
    const spec = getNode(root, specPath);
    if (spec === undefined) {
      const parent = this.deepestKey(root, specPath);
      this.add('k8s.missingField', `Missing ${formatFieldPath(specPath)}: the pod template's spec with its containers.`, parent, [...specPath]);
      return;
    }
    if (!this.type(spec, [...specPath], 'map')) {
      return;
    }
    const containersPair = getPair(spec, 'containers');
    if (containersPair === undefined) {
      this.add('k8s.missingField', 'Missing containers: a pod needs at least one container.', this.deepestKey(root, specPath), [...specPath, 'containers']);
    } else if (containersPair.value.kind === 'seq' && containersPair.value.items.length === 0) {
      this.add('k8s.invalidValue', 'A pod needs at least one container.', containersPair.value.span, [...specPath, 'containers']);
    }
    for (const list of CONTAINER_LISTS) {
      const pair = getPair(spec, list);
      if (pair === undefined || !this.type(pair.value, [...specPath, list], 'seq') || pair.value.kind !== 'seq') {
        continue;
      }
      pair.value.items.forEach((container, i) => this.container(container, [...specPath, list, i], list !== 'ephemeralContainers', builtin));
    }
  }

  private container(node: YNode, path: PathSegment[], imageRequired: boolean, nameRequired: boolean): void {
    if (!this.type(node, path, 'map') || node.kind !== 'map') {
      return;
    }
    const name = getPair(node, 'name');
    if (name === undefined) {
      if (nameRequired) {
        this.add('k8s.missingField', 'Missing name: every container needs a name.', node.pairs[0]?.keySpan ?? node.span, [...path, 'name']);
      }
    } else if (this.type(name.value, [...path, 'name'], 'string') && !DNS_LABEL.test(String(scalarValue(name.value)))) {
      this.add('k8s.invalidValue', 'A container name is lowercase letters, digits and "-", at most 63 characters.', name.value.span, [...path, 'name']);
    }
    const image = getPair(node, 'image');
    if (image === undefined) {
      if (imageRequired) {
        this.add('k8s.missingField', 'Missing image: which container image should run?', name?.keySpan ?? node.span, [...path, 'image']);
      }
    } else if (this.type(image.value, [...path, 'image'], 'string') && String(scalarValue(image.value)).trim() === '') {
      this.add('k8s.invalidValue', 'The image is empty.', image.value.span, [...path, 'image']);
    }
    const policy = getPair(node, 'imagePullPolicy');
    if (policy && this.type(policy.value, [...path, 'imagePullPolicy'], 'string')) {
      const value = String(scalarValue(policy.value));
      if (!['Always', 'IfNotPresent', 'Never'].includes(value)) {
        this.add('k8s.invalidValue', `imagePullPolicy is Always, IfNotPresent or Never, not "${value}".`, policy.value.span, [...path, 'imagePullPolicy']);
      }
    }
    for (const key of ['command', 'args']) {
      const pair = getPair(node, key);
      if (pair && this.type(pair.value, [...path, key], 'seq') && pair.value.kind === 'seq') {
        pair.value.items.forEach((item, i) => this.type(item, [...path, key, i], 'string'));
      }
    }
    const ports = getPair(node, 'ports');
    if (ports && this.type(ports.value, [...path, 'ports'], 'seq') && ports.value.kind === 'seq') {
      ports.value.items.forEach((port, i) => {
        const p = [...path, 'ports', i];
        if (this.type(port, p, 'map') && port.kind === 'map') {
          this.port(port, [...p, 'containerPort'], true);
          this.optional(port, ['hostPort'], 'integer', p);
          this.optional(port, ['name'], 'string', p);
        }
      });
    }
    const env = getPair(node, 'env');
    if (env && this.type(env.value, [...path, 'env'], 'seq') && env.value.kind === 'seq') {
      env.value.items.forEach((item, i) => {
        const p = [...path, 'env', i];
        if (this.type(item, p, 'map') && item.kind === 'map') {
          this.optional(item, ['name'], 'string', p);
          this.optional(item, ['value'], 'string', p);
        }
      });
    }
  }

  private port(map: YMap, path: PathSegment[], required: boolean): void {
    const key = path[path.length - 1] as string;
    const pair = getPair(map, key);
    if (pair === undefined) {
      if (required) {
        this.add('k8s.missingField', `Missing ${key}.`, map.pairs[0]?.keySpan ?? map.span, path);
      }
      return;
    }
    if (this.type(pair.value, path, 'integer')) {
      const n = scalarValue(pair.value) as number;
      if (n < 1 || n > 65535) {
        this.add('k8s.invalidValue', 'A port number is between 1 and 65535.', pair.value.span, path);
      }
    }
  }

  private service(root: YMap): void {
    const spec = getNode(root, ['spec']);
    if (spec === undefined || !this.type(spec, ['spec'], 'map') || spec.kind !== 'map') {
      return;
    }
    this.stringMap(spec, ['spec'], 'selector');
    const type = getPair(spec, 'type');
    if (type && this.type(type.value, ['spec', 'type'], 'string')) {
      const value = String(scalarValue(type.value));
      if (!['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(value)) {
        this.add('k8s.invalidValue', `A Service type is ClusterIP, NodePort, LoadBalancer or ExternalName, not "${value}".`, type.value.span, ['spec', 'type']);
      }
    }
    const ports = getPair(spec, 'ports');
    if (ports && this.type(ports.value, ['spec', 'ports'], 'seq') && ports.value.kind === 'seq') {
      ports.value.items.forEach((port, i) => {
        const p = ['spec', 'ports', i];
        if (this.type(port, p, 'map') && port.kind === 'map') {
          this.port(port, [...p, 'port'], true);
          this.optional(port, ['targetPort'], 'intOrString', p);
          this.optional(port, ['nodePort'], 'integer', p);
        }
      });
    }
  }

  /** The API server refuses a Deployment whose selector does not select its own pods. */
  private selector(root: YMap): void {
    const matchLabels = getNode(root, ['spec', 'selector', 'matchLabels']);
    const labels = getNode(root, ['spec', 'template', 'metadata', 'labels']);
    this.optional(root, ['spec', 'selector'], 'map');
    this.stringMap(getNode(root, ['spec', 'template', 'metadata']), ['spec', 'template', 'metadata'], 'labels');
    if (matchLabels?.kind !== 'map') {
      return;
    }
    this.stringMap(getNode(root, ['spec', 'selector']), ['spec', 'selector'], 'matchLabels');
    for (const pair of matchLabels.pairs) {
      const label = getPair(labels, pair.key);
      if (label === undefined || scalarValue(label.value) !== scalarValue(pair.value)) {
        this.add(
          'k8s.selectorMismatch',
          `The selector ${pair.key}=${String(scalarValue(pair.value))} does not match the pod template's labels: the Deployment would not find its own pods.`,
          pair.keySpan,
          ['spec', 'selector', 'matchLabels', pair.key],
        );
      }
    }
  }

  private name(node: YNode, kind: string | undefined): void {
    const name = String(scalarValue(node));
    const label = kind !== undefined && LABEL_NAME_KINDS.has(kind);
    const ok = label ? DNS_LABEL.test(name) && name.length <= 63 : DNS_SUBDOMAIN.test(name) && name.length <= 253;
    if (!ok) {
      this.add(
        'k8s.invalidName',
        `"${name}" is not a valid name: use lowercase letters, digits and "-"${label ? '' : ' (and ".")'}, starting and ending with a letter or digit.`,
        node.span,
        ['metadata', 'name'],
      );
    }
  }

  private requiredString(root: YMap, path: [string], head: Span, why: string): string | undefined {
    const pair = getPair(root, path[0]);
    if (pair === undefined) {
      this.add('k8s.missingField', `Missing ${path[0]}: ${why}`, head, path);
      return undefined;
    }
    if (!this.type(pair.value, path, 'string')) {
      return undefined;
    }
    const value = String(scalarValue(pair.value));
    if (value.trim() === '') {
      this.add('k8s.missingField', `${path[0]} is empty: ${why}`, pair.value.span, path);
      return undefined;
    }
    return value;
  }

  private stringMap(parent: YNode | undefined, parentPath: PathSegment[], key: string): void {
    const pair = getPair(parent, key);
    if (pair === undefined || !this.type(pair.value, [...parentPath, key], 'map') || pair.value.kind !== 'map') {
      return;
    }
    for (const entry of pair.value.pairs) {
      this.type(entry.value, [...parentPath, key, entry.key], 'string');
    }
  }

  private optional(parent: YNode, path: PathSegment[], type: FieldType, prefix: PathSegment[] = []): void {
    const node = getNode(parent, path);
    if (node !== undefined) {
      this.type(node, [...prefix, ...path], type);
    }
  }

  /** Reports a wrong type and returns false; returns true when the type is right. */
  private type(node: YNode, path: PathSegment[], type: FieldType): boolean {
    const actual = typeOf(node);
    if (actual === 'null' && type !== 'string') {
      return false; // `key:` with nothing: Kubernetes treats it as absent
    }
    const ok =
      actual === type ||
      (type === 'intOrString' && (actual === 'integer' || actual === 'string')) ||
      (type === 'number' && actual === 'integer');
    if (ok) {
      return true;
    }
    this.add('k8s.wrongType', wrongTypeMessage(path, type, actual, node, this.doc.file.text.slice(node.span.start, node.span.end)), node.span, path);
    return false;
  }

  private deepestKey(root: YMap, path: readonly PathSegment[]): Span {
    let span = documentHeadSpan(this.doc);
    let node: YNode | undefined = root;
    for (const segment of path) {
      const pair: YPair | undefined = typeof segment === 'string' ? getPair(node, segment) : undefined;
      if (pair === undefined) {
        break;
      }
      span = pair.keySpan;
      node = pair.value;
    }
    return span;
  }

  private add(code: string, message: string, span: Span, path: readonly PathSegment[], severity: ProblemSeverity = 'error'): void {
    this.problems.push({ severity, code, message, span, range: this.doc.file.rangeOf(span), documentIndex: this.doc.index, path });
  }
}
