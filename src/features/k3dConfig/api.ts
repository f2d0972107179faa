// What other features use of k3d config files: returned by register() and handed to them in extension.ts.
import type * as vscode from 'vscode';

export interface K3dConfigApi {
  /** New k3d Config File...: the create wizard's questions, saved as a config file (Create Cluster's "save" choice). */
  newConfigFile(): Promise<vscode.Uri | undefined>;
}
