// Manifests the scenarios write into the workspace.

/**
 * The sample app's Deployment as the course writes it: APP-dep, one replica, one container APP printing every 2 s.
 * With `port`, it also serves its latest line over HTTP there (the container's port `http`), from an image the
 * cluster has (imagePullPolicy IfNotPresent).
 */
export function appDeployment(app: string, image: string, port?: number): string {
  const served = port === undefined
    ? ''
    : `          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: ${port}
`;
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}-dep
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
    spec:
      containers:
        - name: ${app}
          image: ${image}
${served}          env:
            - name: INTERVAL
              value: "2"
${port === undefined ? '' : `            - name: PORT
              value: "${port}"
`}`;
}

/**
 * The sample app served as the course serves it: APP-dep with PORT set (its latest line over HTTP on 8080, port
 * `http`), Service APP-svc on port 80, and an Ingress that sends every path to it (Traefik, behind the load
 * balancer's port 80).
 */
export function servedApp(app: string, image: string): string {
  return `${appDeployment(app, image, 8080)}---
apiVersion: v1
kind: Service
metadata:
  name: ${app}-svc
spec:
  selector:
    app: ${app}
  ports:
    - port: 80
      targetPort: http
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${app}-ingress
spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: ${app}-svc
                port:
                  number: 80
`;
}
