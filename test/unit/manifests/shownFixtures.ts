// Manifests for the differential tests (fastPath.test.ts, incremental.test.ts), and what the editor
// shows for a file (lenses, their notices, image diagnostics, validation) as plain data to compare.
import { lensNotices, lensRows } from '../../../src/core/manifests/lenses.ts';
import type { ManifestFile } from '../../../src/core/manifests/documents.ts';
import { findImages } from '../../../src/core/manifests/images.ts';
import { checkImageTags, checkLocalImagePullPolicy } from '../../../src/core/manifests/lessons.ts';
import { validateManifest } from '../../../src/core/manifests/validate.ts';

export const FIXTURES: Record<string, string> = {
  comments: `# a header comment
apiVersion: apps/v1 # inline
kind: Deployment
metadata:
  name: web   # the name
  # a comment between keys
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      # containers below
      containers:
        # first
        - name: web
          image: ghcr.io/acme/web:1.4.2 # pinned
          imagePullPolicy: Always
          ports:
            - containerPort: 8080
`,
  multiContainer: `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      initContainers:
      - name: wait
        image: busybox
        command: ["sh", "-c", "until nc -z db 5432; do sleep 1; done"]
      - name: migrate
        image: "k3d-reg:5000/migrate:latest"
      containers:
      - name: db
        image: 'postgres:16-alpine'
        env:
        - name: POSTGRES_PASSWORD
          valueFrom:
            secretKeyRef: {name: db, key: password}
      - name: exporter
        image: quay.io/prometheuscommunity/postgres-exporter@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
        imagePullPolicy: IfNotPresent
`,
  flowMaps: `apiVersion: v1
kind: Pod
metadata: {name: flow, namespace: dev}
spec:
  containers:
    - {name: a, image: "nginx:1.27", imagePullPolicy: Never}
    - name: b
      image: redis
      resources: {limits: {cpu: 100m}}
`,
  blockScalars: `apiVersion: v1
kind: ConfigMap
metadata:
  name: scripts
data:
  run.sh: |
    #!/bin/sh
    image: not/a-container:1
    ---not a marker
  folded: >-
    one
    two
---
apiVersion: batch/v1
kind: Job
metadata:
  name: once
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: job
        image: alpine:3.20
        args:
        - |
          echo "image: nope"
`,
  anchors: `apiVersion: v1
kind: Pod
metadata:
  name: shared
spec:
  containers:
    - &main
      name: main
      image: tool:1.0.0
    - name: copy
      image: tool:1.0.1
      env: &env
        - {name: A, value: "1"}
    - name: other
      image: *img
      env: *env
`,
  anchoredImage: `apiVersion: apps/v1
kind: Deployment
metadata: {name: a}
spec:
  template:
    spec:
      containers:
      - name: x
        image: &img app:2
      - name: y
        image: *img
`,
  cronJob: `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: backup
            image: registry.example.com:5000/tools/backup:2026.11.29
          restartPolicy: OnFailure
`,
  rollout: `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: canary
spec:
  replicas: 3
  strategy:
    canary:
      steps: [{setWeight: 20}, {pause: {}}]
  template:
    spec:
      initContainers:
        - name: init
          image: busybox:1.36
      containers:
        - name: app
          image: ghcr.io/acme/app:sha-666420
`,
  knative: `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: hello
spec:
  template:
    spec:
      containers:
        - image: ghcr.io/knative/helloworld-go:latest
          env:
            - {name: TARGET, value: World}
---
apiVersion: v1
kind: Service
metadata:
  name: core
spec:
  template:
    spec:
      containers:
        - image: not-a-pod-template
`,
  kustomization: `# kind-less, as hand-written kustomizations are
resources:
  - deployment.yaml
images:
  - name: PROJECT/IMAGE
    newName: ghcr.io/acme/app
    newTag: "1.10"
  - name: envoy
    newTag: v1.30.0
  - {name: pinned, digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
images:
- name: nginx
  newTag: 1.27.0
`,
  templates: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: "{{ .Release.Name }}"
spec:
  template:
    spec:
      containers:
      - name: helm
        image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
      - name: env
        image: ghcr.io/acme/app:\${TAG}
      - name: kube
        image: $(IMAGE)
      - name: placeholder
        image: PROJECT/IMAGE
      - name: bad
        image: "UPPER/Case:1"
`,
  oddValues: `apiVersion: v1
kind: Pod
metadata:
  name: odd
spec:
  containers:
  - name: num
    image: 1.10
  - name: empty
    image:
  - name: quoted-escape
    image: "nginx:1.\\u0032"
  - name: list
    image: [a, b]
  - name: "quoted-key"
    "image": 'it''s:1'
`,
  // The scanner gives up on the first document with five nodes open (a multi-line image); the
  // documents after it are read by the same scanner, which must start clean.
  giveUpThenScan: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: first
spec:
  template:
    spec:
      containers:
        - name: a
          image: nginx:1
            :2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: second
  namespace:
spec:
  template:
    spec:
      initContainers:
      containers:
        - name: b
          image: busybox:1.36
          imagePullPolicy:
        - name:
          image: ghcr.io/acme/c:v2 # c
---
apiVersion: batch/v1
kind: Job
metadata: {name: third}
spec:
  template:
    spec:
      containers:
      - image: tool
`,
  tabsAndMultiline: `apiVersion: v1
kind: Pod
metadata:
  name: multi
  annotations:
    note: a plain scalar
      that continues
spec:
  containers:
  - name: a
    image: nginx:1
      :2
`,
  notKubernetes: `just: a map
list:
  - 1
  - 2
---
# only a comment
---
- a
- sequence
`,
};

export const ENCODINGS: Record<string, (text: string) => string> = {
  lf: (text) => text,
  crlf: (text) => text.replaceAll('\n', '\r\n'),
  bomCrlf: (text) => `\uFEFF${text.replaceAll('\n', '\r\n')}`,
};

const local = new Set(['k3d-reg:5000/migrate', 'tool']);

/** Everything the editor shows for the file, as plain data (document objects left out). */
export function shown(file: ManifestFile): unknown {
  const documents = file.documents.map((d) => ({
    kind: d.kind,
    apiVersion: d.apiVersion,
    name: d.name,
    namespace: d.namespace,
    label: d.label,
    imagesRefusal: d.imagesRefusal,
  }));
  const images = findImages(file).map(({ document, reference, kustomize, ...rest }) => ({ ...rest, document: document.index, valid: reference.valid, kustomize: kustomize?.index }));
  const rows = lensRows(file).map(({ image, ...rest }) => ({ ...rest, line: file.rangeOf({ start: rest.at, end: rest.at }).start.line, path: image.path }));
  const findings = [...checkImageTags(file), ...checkLocalImagePullPolicy(file, (ref) => local.has(`${ref.registry ? `${ref.registry}/` : ''}${ref.path}`))].map(
    ({ image, ...rest }) => ({ ...rest, path: image.path }),
  );
  return { documents, images, rows, notices: lensNotices(file), findings, problems: validateManifest(file) };
}
