import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelSelectorString, labelSelectorToRequirements, matchFields, matchRequirements, parseFieldSelector, parseLabelSelector } from './selectors.ts';

test('label selectors: equality, inequality, set-based, existence', () => {
  const labels = { app: 'web', tier: 'front', env: 'prod' };
  const m = (s: string) => matchRequirements(parseLabelSelector(s), labels);
  assert.ok(m('app=web'));
  assert.ok(m('app==web,tier=front'));
  assert.ok(!m('app!=web'));
  assert.ok(m('env in (prod, staging)'));
  assert.ok(!m('env notin (prod)'));
  assert.ok(m('tier'));
  assert.ok(m('!missing'));
  assert.ok(!m('missing'));
  assert.ok(m('app=web,env in (prod),!gone'));
  assert.throws(() => parseLabelSelector('app=(x'), /unable to parse requirement/);
});

test('LabelSelector objects convert to requirements and to kubectl text', () => {
  const sel = { matchLabels: { app: 'h' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'x', operator: 'DoesNotExist' }] };
  assert.ok(matchRequirements(labelSelectorToRequirements(sel), { app: 'h', tier: 'b' }));
  assert.ok(!matchRequirements(labelSelectorToRequirements(sel), { app: 'h', tier: 'b', x: '1' }));
  assert.equal(labelSelectorString(sel), 'app=h,tier in (a,b),!x');
});

test('field selectors: metadata.name, spec.nodeName, negation', () => {
  const pod = { metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
  assert.ok(matchFields(parseFieldSelector('metadata.name=p'), pod));
  assert.ok(matchFields(parseFieldSelector('spec.nodeName==n1,status.phase!=Pending'), pod));
  assert.ok(!matchFields(parseFieldSelector('spec.nodeName=n2'), pod));
  assert.ok(matchFields(parseFieldSelector('spec.nodeName='), { metadata: { name: 'x' }, spec: {} }));
});
