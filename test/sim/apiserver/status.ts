// metav1.Status errors, shaped as the real API server returns them.
import type { Obj } from './util.ts';

export interface Cause { reason?: string; message?: string; field?: string; type?: string }

export class ApiError extends Error {
  code: number;
  reason: string;
  details: Obj | undefined;
  constructor(code: number, reason: string, message: string, details?: Obj) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
  toStatus(): Obj {
    const s: Obj = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason };
    if (this.details) s.details = this.details;
    s.code = this.code;
    return s;
  }
}

export interface Target { group: string; kind: string; resource: string; name?: string }

function qualified(t: Target): string {
  return t.group ? `${t.resource}.${t.group}` : t.resource;
}

function details(t: Target, name?: string): Obj {
  const d: Obj = {};
  if (name) d.name = name;
  if (t.group) d.group = t.group;
  d.kind = t.resource;
  return d;
}

export function notFound(t: Target, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualified(t)} "${name}" not found`, details(t, name));
}

export function alreadyExists(t: Target, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualified(t)} "${name}" already exists`, details(t, name));
}

export function conflict(t: Target, name: string, why: string): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(t)} "${name}": ${why}`, details(t, name));
}

export function invalid(t: Target, name: string, causes: Cause[]): ApiError {
  const list = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  const msg = `${t.kind} "${name}" is invalid: ${causes.length > 1 ? `[${list}]` : list}`;
  const d = details(t, name);
  d.kind = t.kind;
  d.causes = causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, field: c.field }));
  return new ApiError(422, 'Invalid', msg, d);
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function gone(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

export function successStatus(t: Target, name: string, uid?: string): Obj {
  const d = details(t, name);
  if (uid) d.uid = uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: d };
}
