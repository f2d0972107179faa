// The cluster's published ports: `k3d cluster create -p H1:80@loadbalancer -p H2:30080@agent:0` serves Traefik's
// ingress routing on H1 and the NodePort Service on H2, reaching a pod that runs as a real Docker container inside
// its network namespace (loadbalancer.ts). Judged with Node's HTTP client on 127.0.0.1 and the real kubectl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { requireDocker } from '../../lib/docker.ts';
import { ensureBaseImage } from '../../lib/images.ts';
import { pollUntil } from '../../lib/poll.ts';
import { httpGet } from '../../lib/http.ts';
import { hostMatches, parseRequestHead, pathHasPrefix, publishedPorts } from './loadbalancer.ts';
import { freePort, KUBECTL, simWorkspace } from './test/harness.ts';

test('Ingress routing as Traefik does it: Prefix by path elements, Exact, host wildcards; the request head read', () => {
  assert.equal(pathHasPrefix('/app', '/app'), true);
  assert.equal(pathHasPrefix('/app/x', '/app/'), true);
  assert.equal(pathHasPrefix('/application', '/app'), false);
  assert.equal(pathHasPrefix('/anything', '/'), true);
  assert.equal(hostMatches('*.example.com', 'a.example.com'), true);
  assert.equal(hostMatches('*.example.com', 'a.b.example.com'), false);
  assert.equal(hostMatches('*.example.com', 'example.com'), false);
  assert.equal(hostMatches('App.example.com', 'app.example.com'), true);
  assert.deepEqual(parseRequestHead('GET /pingpong?x=1 HTTP/1.1\r\nHost: LOCALHOST:8081\r\nAccept: */*'), { host: 'localhost', path: '/pingpong' });
  assert.equal(parseRequestHead('not http'), undefined);
  assert.deepEqual([...publishedPorts([{ spec: '8081:80@loadbalancer' }, { spec: '127.0.0.1:8082:30080@agent:0' }, { spec: '5000/udp' }, { spec: '9000:9000/udp' }])], [[8081, 80], [8082, 30080]]);
});

test('published ports: Traefik on :80 routes by Ingress (404 page not found before one exists), a NodePort Service answers on its node port, through a real container', { timeout: 240_000 }, async (t) => {
  await requireDocker();
  const suffix = randomBytes(3).toString('hex');
  const cluster = `lb${suffix}`;
  const { root, run, k3d } = simWorkspace(t, 'lb', cluster);

  const image = await ensureBaseImage();
  const [ingressPort, nodePort] = [await freePort(), await freePort()];
  const created = await k3d('cluster', 'create', cluster, '--agents', '1', '-p', `${ingressPort}:80@loadbalancer`, '--port', `${nodePort}:30080@agent:0`);
  assert.equal(created.code, 0, created.err);
  assert.equal((await k3d('image', 'import', image, '-c', cluster)).code, 0);

  // No Ingress yet: Traefik answers 404 itself.
  const before = await pollUntil('Traefik on the published port', () => httpGet(ingressPort).catch((e: Error) => ({ status: 0, body: e.message })), (r) => r.status !== 0, { timeoutMs: 20_000, intervalMs: 200 });
  assert.deepEqual(before, { status: 404, body: '404 page not found\n' });

  const page = `page-${suffix}`;
  const manifest = join(root, 'web.yaml');
  writeFileSync(manifest, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ${image}
          imagePullPolicy: IfNotPresent
          command: [sh, -c, "mkdir -p /tmp/w && echo ${page} > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w"]
          ports:
            - {name: http, containerPort: 8080}
---
apiVersion: v1
kind: Service
metadata:
  name: web-svc
spec:
  type: NodePort
  selector: {app: web}
  ports:
    - {name: http, port: 80, targetPort: http, nodePort: 30080}
---
apiVersion: v1
kind: Service
metadata:
  name: web-auto
spec:
  type: NodePort
  selector: {app: web}
  ports:
    - {port: 80, targetPort: 8080}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web-ingress
spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web-svc
                port: {number: 80}
`);
  const applied = await run(KUBECTL, ['apply', '-f', manifest]);
  assert.equal(applied.code, 0, applied.err);
  assert.match(applied.out, /ingress\.networking\.k8s\.io\/web-ingress created/);
  await pollUntil('the pod to run', async () => (await run(KUBECTL, ['get', 'pods'])).out, (out) => /^web-\S+\s+1\/1\s+Running/m.test(out), { timeoutMs: 60_000, intervalMs: 200 });

  // The node port: kube-proxy's, to the pod's named port.
  const viaNodePort = await pollUntil('the page on the node port', () => httpGet(nodePort).catch((e: Error) => ({ status: 0, body: e.message })), (r) => r.status === 200, { timeoutMs: 30_000, intervalMs: 300 });
  assert.equal(viaNodePort.body, `${page}\n`);
  // Traefik: the Ingress rule to the Service.
  assert.deepEqual(await httpGet(ingressPort), { status: 200, body: `${page}\n` });

  // kubectl sees what the cluster serves: the Ingress, and the node port the API server gave the Service that asked for none.
  const ingress = await run(KUBECTL, ['get', 'ingress', 'web-ingress', '-o', 'jsonpath={.spec.rules[0].http.paths[0].backend.service.name}']);
  assert.equal(ingress.out, 'web-svc', ingress.err);
  const auto = await run(KUBECTL, ['get', 'service', 'web-auto', '-o', 'jsonpath={.spec.ports[0].nodePort}']);
  assert.ok(Number(auto.out) >= 30000 && Number(auto.out) <= 32767, `a node port in 30000-32767: ${auto.out} ${auto.err}`);

  // The Ingress gone: 404 again. The Service gone: the node port resets the connection.
  assert.equal((await run(KUBECTL, ['delete', 'ingress', 'web-ingress'])).code, 0);
  assert.deepEqual(await httpGet(ingressPort), { status: 404, body: '404 page not found\n' });
  assert.equal((await run(KUBECTL, ['delete', 'service', 'web-svc'])).code, 0);
  await assert.rejects(httpGet(nodePort));
});
