// The command tree of the k3d v5 CLI that the simulator answers, with cobra-style help and errors.

import * as os from 'node:os';
import { clusterCreate } from './create.ts';
import {
  clusterListCmd, imageImportCmd, kubeconfigGetCmd, kubeconfigMergeCmd, nodeListCmd, printVersion, versionCmd,
} from './commands.ts';
import type { SimContext } from './context.ts';
import { clusterDelete, clusterStart, clusterStop } from './lifecycle.ts';
import { registryCreateCmd, registryDeleteCmd, registryListCmd } from './registryCommands.ts';
import { flagUsage, globalUsage, parseFlags, UsageError } from './flags.ts';
import type { FlagDef, Parsed } from './flags.ts';
import { configureLogging, debug, ExitError, fatal, useDefaultLogger } from './log.ts';
import { isDockerDown } from './context.ts';
import { dockerHost } from './state.ts';
import { nodeLeaves } from './nodes.ts';
import { clusterLeaves } from './edit.ts';

interface Leaf {
  use: string;
  short: string;
  aliases?: string[];
  flags: FlagDef[];
  run: (ctx: SimContext, p: Parsed) => void | Promise<void>;
}

interface Group {
  use: string;
  short: string;
  children: Record<string, Leaf>;
}

const createFlags: FlagDef[] = [
  { long: 'agents', short: 'a', kind: 'int', default: 0, usage: 'Specify how many agents you want to create' },
  { long: 'agents-memory', kind: 'string', default: '', usage: 'Memory limit imposed on the agents nodes [From docker]' },
  { long: 'api-port', kind: 'string', default: '', usage: 'Specify the Kubernetes API server port exposed on the LoadBalancer (Format: [HOST:]HOSTPORT)' },
  { long: 'config', short: 'c', kind: 'string', default: '', usage: 'Path of a config file to use' },
  { long: 'env', short: 'e', kind: 'stringArray', usage: 'Add environment variables to nodes (Format: KEY[=VALUE][@NODEFILTER[;NODEFILTER...]]' },
  { long: 'gpus', kind: 'string', default: '', usage: "GPU devices to add to the cluster node containers ('all' to pass all GPUs) [From docker]" },
  { long: 'host-alias', kind: 'stringArray', usage: 'Add ip:host[,host,...] mappings' },
  { long: 'host-pid-mode', kind: 'bool', default: false, usage: 'Enable host pid mode of server(s) and agent(s)' },
  { long: 'image', short: 'i', kind: 'string', default: '', usage: 'Specify k3s image that you want to use for the nodes' },
  { long: 'k3s-arg', kind: 'stringArray', usage: 'Additional args passed to k3s command (Format: ARG@NODEFILTER[;@NODEFILTER])' },
  { long: 'k3s-node-label', kind: 'stringArray', usage: 'Add label to k3s node (Format: KEY[=VALUE][@NODEFILTER[;NODEFILTER...]]' },
  { long: 'kubeconfig-switch-context', kind: 'bool', default: true, usage: "Directly switch the default kubeconfig's current-context to the new cluster's context (requires --kubeconfig-update-default)" },
  { long: 'kubeconfig-update-default', kind: 'bool', default: true, usage: "Directly update the default kubeconfig with the new cluster's context" },
  { long: 'lb-config-override', kind: 'stringArray', usage: 'Use dotted YAML path syntax to override nginx loadbalancer settings' },
  { long: 'network', kind: 'string', default: '', usage: 'Join an existing network' },
  { long: 'no-image-volume', kind: 'bool', default: false, usage: 'Disable the creation of a volume for importing images' },
  { long: 'no-lb', kind: 'bool', default: false, usage: 'Disable the creation of a LoadBalancer in front of the server nodes' },
  { long: 'no-rollback', kind: 'bool', default: false, usage: 'Disable the automatic rollback actions, if anything goes wrong' },
  { long: 'port', short: 'p', kind: 'stringArray', usage: 'Map ports from the node containers (via the serverlb) to the host (Format: [HOST:][HOSTPORT:]CONTAINERPORT[/PROTOCOL][@NODEFILTER])' },
  { long: 'registry-config', kind: 'string', default: '', usage: 'Specify path to an extra registries.yaml file' },
  { long: 'registry-create', kind: 'string', default: '', usage: 'Create a k3d-managed registry and connect it to the cluster (Format: NAME[:HOST][:HOSTPORT]' },
  { long: 'registry-use', kind: 'stringArray', usage: 'Connect to one or more k3d-managed registries running locally' },
  { long: 'runtime-label', kind: 'stringArray', usage: 'Add label to container runtime (Format: KEY[=VALUE][@NODEFILTER[;NODEFILTER...]]' },
  { long: 'servers', short: 's', kind: 'int', default: 0, usage: 'Specify how many servers you want to create' },
  { long: 'servers-memory', kind: 'string', default: '', usage: 'Memory limit imposed on the server nodes [From docker]' },
  { long: 'subnet', kind: 'string', default: '', usage: '[Experimental: IPAM] Define a subnet for the newly created container network (Example: 172.28.0.0/16)' },
  { long: 'timeout', kind: 'duration', default: '0s', usage: "Rollback changes if cluster couldn't be created in specified duration." },
  { long: 'token', kind: 'string', default: '', usage: 'Specify a cluster token. By default, we generate one.' },
  { long: 'volume', short: 'v', kind: 'stringArray', usage: 'Mount volumes into the nodes (Format: [SOURCE:]DEST[@NODEFILTER[;NODEFILTER...]]' },
  { long: 'wait', kind: 'bool', default: true, usage: "Wait for the server(s) to be ready before returning. Use '--timeout DURATION' to not wait forever." },
];

const tree: Record<string, Group> = {
  cluster: {
    use: 'cluster',
    short: 'Manage cluster(s)',
    children: {
      create: { use: 'create NAME', short: 'Create a new cluster', flags: createFlags, run: clusterCreate },
      delete: {
        use: 'delete [NAME [NAME ...] | --all]', short: 'Delete cluster(s).', aliases: ['del', 'rm'],
        flags: [
          { long: 'all', short: 'a', kind: 'bool', default: false, usage: 'Delete all existing clusters' },
          { long: 'config', short: 'c', kind: 'string', default: '', usage: 'Path of a config file to use' },
        ],
        run: clusterDelete,
      },
      list: {
        use: 'list [NAME [NAME...]]', short: 'List cluster(s)', aliases: ['ls', 'get'],
        flags: [
          { long: 'no-headers', kind: 'bool', default: false, usage: 'Disable headers' },
          { long: 'output', short: 'o', kind: 'string', default: '', usage: 'Output format. One of: json|yaml' },
          { long: 'token', kind: 'bool', default: false, usage: 'Print k3s cluster token' },
        ],
        run: clusterListCmd,
      },
      start: {
        use: 'start [NAME [NAME...] | --all]', short: 'Start existing k3d cluster(s)',
        flags: [
          { long: 'all', short: 'a', kind: 'bool', default: false, usage: 'Start all existing clusters' },
          { long: 'timeout', kind: 'duration', default: '0s', usage: "Maximum waiting time for '--wait' before canceling/returning." },
          { long: 'wait', kind: 'bool', default: true, usage: 'Wait for the server(s) (and loadbalancer) to be ready before returning.' },
        ],
        run: clusterStart,
      },
      stop: {
        use: 'stop [NAME [NAME...] | --all]', short: 'Stop existing k3d cluster(s)',
        flags: [{ long: 'all', short: 'a', kind: 'bool', default: false, usage: 'Stop all existing clusters' }],
        run: clusterStop,
      },
    },
  },
  node: {
    use: 'node',
    short: 'Manage node(s)',
    children: {
      list: {
        use: 'list [NODE [NODE...]]', short: 'List node(s)', aliases: ['ls', 'get'],
        flags: [
          { long: 'no-headers', kind: 'bool', default: false, usage: 'Disable headers' },
          { long: 'output', short: 'o', kind: 'string', default: '', usage: 'Output format. One of: json|yaml' },
        ],
        run: nodeListCmd,
      },
    },
  },
  kubeconfig: {
    use: 'kubeconfig',
    short: 'Manage kubeconfig(s)',
    children: {
      get: {
        use: 'get [CLUSTER [CLUSTER [...]] | --all]', short: 'Print kubeconfig(s) from cluster(s).', aliases: ['print', 'show'],
        flags: [{ long: 'all', short: 'a', kind: 'bool', default: false, usage: 'Output kubeconfigs from all existing clusters' }],
        run: kubeconfigGetCmd,
      },
      merge: {
        use: 'merge [CLUSTER [CLUSTER [...]] | --all]', short: 'Write/Merge kubeconfig(s) from cluster(s) into new or existing kubeconfig/file.', aliases: ['write'],
        flags: [
          { long: 'all', short: 'a', kind: 'bool', default: false, usage: 'Get kubeconfigs from all existing clusters' },
          { long: 'kubeconfig-merge-default', short: 'd', kind: 'bool', default: false, usage: 'Merge into the default kubeconfig ($KUBECONFIG or $HOME/.kube/config)' },
          { long: 'kubeconfig-switch-context', short: 's', kind: 'bool', default: true, usage: 'Switch to new context' },
          { long: 'output', short: 'o', kind: 'string', default: '', usage: 'Define output [ - | FILE ] (default from $KUBECONFIG or $HOME/.kube/config' },
          { long: 'overwrite', kind: 'bool', default: false, usage: '[Careful!] Overwrite existing file, ignoring its contents' },
          { long: 'update', short: 'u', kind: 'bool', default: true, usage: 'Update conflicting fields in existing kubeconfig' },
        ],
        run: kubeconfigMergeCmd,
      },
    },
  },
  registry: {
    use: 'registry',
    short: 'Manage registry/registries',
    children: {
      create: {
        use: 'create NAME', short: 'Create a new registry',
        flags: [
          { long: 'default-network', kind: 'string', default: 'bridge', usage: 'Specify the network connected to the registry' },
          { long: 'delete-enabled', kind: 'bool', default: false, usage: 'Enable image deletion' },
          { long: 'image', short: 'i', kind: 'string', default: 'docker.io/library/registry:2', usage: 'Specify image used for the registry' },
          { long: 'no-help', kind: 'bool', default: false, usage: 'Disable the help text (How-To use the registry)' },
          { long: 'port', short: 'p', kind: 'string', default: 'random', usage: 'Select which port the registry should be listening on on your machine (localhost) (Format: `[HOST:]HOSTPORT`)\n - Example: `k3d registry create --port 0.0.0.0:5111`' },
          { long: 'proxy-password', kind: 'string', default: '', usage: 'Specify the password of the proxied remote registry' },
          { long: 'proxy-remote-url', kind: 'string', default: '', usage: 'Specify the url of the proxied remote registry' },
          { long: 'proxy-username', kind: 'string', default: '', usage: 'Specify the username of the proxied remote registry' },
          { long: 'volume', short: 'v', kind: 'stringArray', usage: 'Mount volumes into the registry node (Format: `[SOURCE:]DEST`' },
        ],
        run: registryCreateCmd,
      },
      delete: {
        use: 'delete (NAME | --all)', short: 'Delete registry/registries.', aliases: ['del', 'rm'],
        flags: [{ long: 'all', short: 'a', kind: 'bool', default: false, usage: 'Delete all existing registries' }],
        run: registryDeleteCmd,
      },
      list: {
        use: 'list [NAME [NAME...]]', short: 'List registries', aliases: ['ls', 'get'],
        flags: [
          { long: 'no-headers', kind: 'bool', default: false, usage: 'Disable headers' },
          { long: 'output', short: 'o', kind: 'string', default: '', usage: 'Output format. One of: json|yaml' },
        ],
        run: registryListCmd,
      },
    },
  },
  image: {
    use: 'image',
    short: 'Handle container images.',
    children: {
      import: {
        use: 'import [IMAGE | ARCHIVE [IMAGE | ARCHIVE...]]', short: 'Import image(s) from docker into k3d cluster(s).', aliases: ['load'],
        flags: [
          { long: 'cluster', short: 'c', kind: 'stringArray', default: ['k3s-default'], usage: 'Select clusters to load the image to.' },
          { long: 'keep-tarball', short: 'k', kind: 'bool', default: false, usage: 'Do not delete the tarball containing the saved images from the shared volume' },
          { long: 'keep-tools', short: 't', kind: 'bool', default: false, usage: 'Do not delete the tools node after import' },
          { long: 'mode', short: 'm', kind: 'string', default: 'tools-node', usage: 'Which method to use to import images into the cluster [auto, direct, tools]. See https://k3d.io/stable/usage/importing_images/' },
        ],
        run: imageImportCmd,
      },
    },
  },
};

// node create/delete/start/stop, cluster edit/restart: test/sim/k3d/nodes.ts, edit.ts
Object.assign(tree.node.children, nodeLeaves);
Object.assign(tree.cluster.children, clusterLeaves);

const versionLeaf: Leaf = {
  use: 'version',
  short: 'Show k3d and default k3s version',
  flags: [{ long: 'output', short: 'o', kind: 'string', default: '', usage: 'This will return version information as a different format.  Only json is supported' }],
  run: (_ctx, p) => versionCmd(p),
};

const notSimulated = ['completion', 'config', 'debug', 'help'];

const ROOT_LONG = `https://k3d.io/
k3d is a wrapper CLI that helps you to easily create k3s clusters inside docker.
Nodes of a k3d cluster are docker containers running a k3s image.
All Nodes of a k3d cluster are part of the same docker network.`;

const ROOT_COMMANDS: [string, string][] = [
  ['cluster', 'Manage cluster(s)'],
  ['completion', 'Generate completion scripts for [bash, zsh, fish, powershell | psh]'],
  ['config', 'Work with config file(s)'],
  ['help', 'Help about any command'],
  ['image', 'Handle container images.'],
  ['kubeconfig', 'Manage kubeconfig(s)'],
  ['node', 'Manage node(s)'],
  ['registry', 'Manage registry/registries'],
  ['version', 'Show k3d and default k3s version'],
];

// cobra's default usage template (Command.UsageString): what `--help` prints after the long description, and
// what cobra prints after "Error: …" when a command line is rejected.
function rootUsage(): string {
  return `Usage:
  k3d [flags]
  k3d [command]

Available Commands:
${ROOT_COMMANDS.map(([n, short]) => `  ${n.padEnd(11)} ${short}`).join('\n')}

Flags:
  -h, --help         help for k3d
      --timestamps   Enable Log timestamps
      --trace        Enable super verbose output (trace logging)
      --verbose      Enable verbose output (debug logging)
      --version      Show k3d and default k3s version

Use "k3d [command] --help" for more information about a command.
`;
}

function rootHelp(): string {
  return `${ROOT_LONG}

${rootUsage()}
This k3d is SIMULATED (test/sim/bin/k3d): no Docker involved; state in $K3D_SIM_HOME (default ~/.k3d-sim).
`;
}

function groupUsage(name: string, g: Group): string {
  const cmds = Object.entries(g.children).map(([n, l]) => `  ${n.padEnd(11)}${l.short}`).join('\n');
  return `Usage:
  k3d ${name} [flags]
  k3d ${name} [command]

Available Commands:
${cmds}

Flags:
  -h, --help   help for ${name}

Global Flags:
${globalUsage()}

Use "k3d ${name} [command] --help" for more information about a command.
`;
}

function groupHelp(name: string, g: Group): string {
  return `${g.short}\n\n${groupUsage(name, g)}`;
}

function leafUsage(pathName: string, l: Leaf): string {
  const aliases = l.aliases?.length ? `\nAliases:\n  ${[l.use.split(' ')[0], ...l.aliases].join(', ')}\n` : '';
  return `Usage:
  ${pathName.split(' ').slice(0, -1).join(' ')} ${l.use} [flags]
${aliases}
Flags:
${flagUsage(l.flags)}

Global Flags:
${globalUsage()}
`;
}

function leafHelp(pathName: string, l: Leaf): string {
  return `${l.short}\n\n${leafUsage(pathName, l)}`;
}

/**
 * A command line cobra rejects (cobra's Command.ExecuteC): "Error: MESSAGE" and the command's usage on stderr,
 * then k3d's Execute ends with l.Log().Fatalln(err) (k3d-io/k3d cmd/root.go). Flag errors come before
 * cobra.OnInitialize(initLogging) has run, so that FATA line is logrus' default: logfmt
 * (`time="…" level=fatal msg="…"`) when stderr is not a terminal, which is how the extension runs k3d.
 */
function rejectCommandLine(usage: string, message: string): never {
  process.stderr.write(`Error: ${message}\n${usage}\n`);
  fatal(message);
}

/** cobra's "unknown command" (Command.Find, legacyArgs), with its suggestions (SuggestionsFor, distance 2). */
function unknownCommand(typed: string, commandPath: string, names: string[]): never {
  const suggestions = names.filter((n) => n !== 'help' && (levenshtein(typed.toLowerCase(), n.toLowerCase()) <= 2 || n.toLowerCase().startsWith(typed.toLowerCase())));
  const hint = suggestions.length ? `\n\nDid you mean this?\n${suggestions.map((n) => `\t${n}\n`).join('')}` : '';
  const message = `unknown command "${typed}" for "${commandPath}"${hint}`;
  process.stderr.write(`Error: ${message}\nRun '${commandPath} --help' for usage.\n`);
  fatal(message);
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

export async function runCli(ctx: SimContext, argv: string[]): Promise<void> {
  // Until cobra has parsed the flags, k3d's logger is logrus' default (see rejectCommandLine).
  useDefaultLogger(process.stderr.isTTY === true);
  const first = argv.find((a) => !a.startsWith('-'));

  if (first === undefined) {
    let parsed: Parsed;
    try {
      parsed = parseFlags(argv, [{ long: 'version', kind: 'bool', default: false, usage: 'Show k3d and default k3s version' }]);
    } catch (err) {
      if (err instanceof UsageError) rejectCommandLine(rootUsage(), err.message);
      throw err;
    }
    if (parsed.help) {
      process.stdout.write(rootHelp());
      return;
    }
    if (parsed.values.get('version') === true) return printVersion();
    // The root command's Run: cmd.Usage(), which cobra writes to stderr.
    process.stderr.write(rootUsage());
    return;
  }

  if (first === 'version') {
    const rest = argv.slice(argv.indexOf('version') + 1);
    return runLeaf(ctx, 'k3d version', versionLeaf, rest);
  }

  const group = tree[first];
  if (!group) {
    if (notSimulated.includes(first)) fatal(`'k3d ${first}' is not simulated by test/sim/bin/k3d`);
    unknownCommand(first, 'k3d', ROOT_COMMANDS.map(([n]) => n));
  }
  const afterGroup = argv.slice(argv.indexOf(first) + 1);
  const sub = afterGroup.find((a) => !a.startsWith('-'));
  const entry = sub === undefined ? undefined : Object.entries(group.children).find(([n, l]) => n === sub || l.aliases?.includes(sub));
  if (entry === undefined || sub === undefined) {
    // A group command takes any arguments (cobra's legacyArgs checks subcommands only on the root) and its Run
    // prints its help: `k3d cluster foo` is the help of `k3d cluster`, exit 0 (cmd/cluster/cluster.go).
    try {
      parseFlags(afterGroup, []);
    } catch (err) {
      if (err instanceof UsageError) rejectCommandLine(groupUsage(first, group), err.message);
      throw err;
    }
    process.stdout.write(groupHelp(first, group));
    return;
  }
  const rest = afterGroup.slice(afterGroup.indexOf(sub) + 1);
  return runLeaf(ctx, `k3d ${first} ${entry[0]}`, entry[1], rest);
}

async function runLeaf(ctx: SimContext, commandPath: string, leaf: Leaf, rest: string[]): Promise<void> {
  let parsed: Parsed;
  try {
    parsed = parseFlags(rest, leaf.flags);
  } catch (err) {
    if (err instanceof UsageError) rejectCommandLine(leafUsage(commandPath, leaf), err.message);
    throw err;
  }
  if (parsed.help) {
    process.stdout.write(leafHelp(commandPath, leaf));
    return;
  }
  // cobra.OnInitialize(initLogging): from here on k3d's own logger (forced colours unless LOG_COLORS=false).
  configureLogging(ctx.env, {
    verbose: parsed.values.get('verbose') === true,
    trace: parsed.values.get('trace') === true,
    timestamps: parsed.values.get('timestamps') === true,
  });
  // cmd/root.go initRuntime: the docker runtime's Info(), when the engine answers.
  if (!isDockerDown(ctx)) debug(`Runtime Info:\n${runtimeInfo(ctx.env)}`);
  try {
    await leaf.run(ctx, parsed);
  } catch (err) {
    // An Args validator's error (cobra validates the arguments after initLogging): usage, then a coloured FATA.
    if (err instanceof UsageError) rejectCommandLine(leafUsage(commandPath, leaf), err.message);
    if (err instanceof ExitError) throw err;
    throw err;
  }
}

/** Go's %+v of pkg/runtimes/types RuntimeInfo, for this machine (the engine itself is not asked). */
function runtimeInfo(env: NodeJS.ProcessEnv): string {
  const endpoint = dockerHost(env).replace(/^unix:\/\//, '');
  return `&{Name:docker Endpoint:${endpoint} Version:simulated OSType:linux OS:${os.type()} Arch:${os.arch() === 'x64' ? 'x86_64' : os.arch()} CgroupVersion:2 CgroupDriver:systemd Filesystem:extfs InfoName:${os.hostname()}}`;
}
