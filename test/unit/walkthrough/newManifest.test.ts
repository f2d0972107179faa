import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { appNameOf, deploymentManifest, imageProblem, nameProblem } from '../../../src/core/walkthrough/newManifest.ts';

test('New Manifest writes the course’s shape: name, replicas, selector, template labels, one container', () => {
  const text = deploymentManifest('hashgenerator', 'jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64');
  assert.equal(
    text,
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hashgenerator-dep
spec:
  replicas: 1
  selector:
    matchLabels:
      app: hashgenerator
  template:
    metadata:
      labels:
        app: hashgenerator
    spec:
      containers:
        - name: hashgenerator
          image: jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64
`,
  );
  const doc = parse(text);
  assert.deepEqual(doc.spec.selector.matchLabels, doc.spec.template.metadata.labels, 'the selector must match the template labels');
});

test('the app name comes from the image, as a DNS label', () => {
  assert.equal(appNameOf('jakousa/dwk-app1:abc'), 'dwk-app1');
  assert.equal(appNameOf('localhost:5000/My_App:1'), 'my-app');
  assert.equal(appNameOf('nginx@sha256:0123456789abcdef0123456789abcdef'), 'nginx');
});

test('bad images and names are refused with a reason', () => {
  assert.match(imageProblem('') ?? '', /Name an image/);
  assert.match(imageProblem('my app') ?? '', /no spaces/);
  assert.ok(imageProblem('UPPER/Case:1'), 'uppercase repository');
  assert.equal(imageProblem('jakousa/dwk-app1:b7fc18de'), undefined);
  assert.ok(nameProblem('Hash_Gen'));
  assert.equal(nameProblem('hashgenerator'), undefined);
});
