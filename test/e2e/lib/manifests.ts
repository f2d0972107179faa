// Manifests the scenarios write into the workspace.

/** The sample app's Deployment as the course writes it: APP-dep, one replica, one container APP printing every 2 s. */
export function appDeployment(app: string, image: string): string {
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
          env:
            - name: INTERVAL
              value: "2"
`;
}
