import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildProblem, instructionLines } from '../../../src/core/deploy/buildProblems.ts';

const NOTICE = [
  'DEPRECATED: The legacy builder is deprecated and will be removed in a future release.',
  '            Install the buildx component to build images with BuildKit:',
  '            https://docs.docker.com/go/buildx/',
  '',
];

test('a failed COPY (the classic builder, as Docker 28 prints it) is at the COPY line, with Docker\'s reason', () => {
  const dockerfile = '# the app\nFROM k3d-deploy/base:1\n\n# its files\nCOPY missing.txt /app/\nCMD ["/bin/sh"]\n';
  const output = [
    ...NOTICE,
    'Sending build context to Docker daemon  2.048kB',
    'Step 1/3 : FROM k3d-deploy/base:1',
    ' ---> e21028f187ea',
    'Step 2/3 : COPY missing.txt /app/',
    'COPY failed: file not found in build context or excluded by .dockerignore: stat missing.txt: file does not exist',
  ];
  assert.deepEqual(buildProblem(output, dockerfile), {
    line: 4,
    message: 'COPY failed: file not found in build context or excluded by .dockerignore: stat missing.txt: file does not exist',
    instruction: 'COPY missing.txt /app/',
  });
});

test('a failing RUN continued over two lines is at its first line, and the RUN\'s own output is not the reason', () => {
  const dockerfile = 'FROM k3d-deploy/base:1\nRUN echo hi && \\\n  exit 3\nCOPY a /b\n';
  const output = [...NOTICE, 'Step 1/3 : FROM k3d-deploy/base:1', ' ---> e21028f187ea', 'Step 2/3 : RUN echo hi &&   exit 3', ' ---> Running in f13352b5d89d', 'hi', "The command '/bin/sh -c echo hi &&   exit 3' returned a non-zero code: 3"];
  const p = buildProblem(output, dockerfile);
  assert.equal(p?.line, 1);
  assert.equal(p?.message, "The command '/bin/sh -c echo hi &&   exit 3' returned a non-zero code: 3");
});

test('a parse error names its line', () => {
  const p = buildProblem(['Sending build context to Docker daemon  2.048kB', 'Error response from daemon: dockerfile parse error line 2: unknown instruction: COPPY'], 'FROM x\nCOPPY a b\n');
  assert.deepEqual(p, { line: 1, message: 'Dockerfile parse error: unknown instruction: COPPY' });
});

test('BuildKit\'s "Dockerfile:3" marks the line', () => {
  const output = ['#6 ERROR: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3', '------', 'Dockerfile:3', '--------------------', '   2 |     ', ' >>> 3 | RUN exit 3', 'ERROR: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3'];
  assert.equal(buildProblem(output, 'FROM x\n\nRUN exit 3\n')?.line, 2);
});

test('no step and no line: nothing to place (Docker down, a missing context)', () => {
  assert.equal(buildProblem(['unable to prepare context: path "/x" not found'], 'FROM x\n'), undefined);
});

test('instruction lines skip comments, blank lines, directives and continuations', () => {
  assert.deepEqual(instructionLines('# syntax=docker/dockerfile:1\n# escape=`\nFROM a\nRUN x `\n  y\n\n# c\nCMD z\n'), [2, 3, 7]);
});
