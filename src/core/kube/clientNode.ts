// Entry point of dist/clientNode.js: client-node on its own, loaded lazily by gateway.ts.
export * from '@kubernetes/client-node';
