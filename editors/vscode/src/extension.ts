// VS Code side of iam-lsp: start `iam-lsp serve`, route settings, offer restart. Logic lives in logic.ts.
import * as os from "node:os";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from "vscode-languageclient/node";

import {
  DOCUMENT_SELECTOR,
  INSTALL_HINT,
  SECTION,
  ServerLaunchSettings,
  needsRestart,
  resolveServerCommand,
  toServerSettings,
} from "./logic";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

function launchSettings(): ServerLaunchSettings {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  return {
    path: cfg.get<string>("server.path") ?? "",
    pythonPath: cfg.get<string>("server.pythonPath") ?? "",
    args: cfg.get<string[]>("server.args") ?? [],
  };
}

function serverSettings(scope?: vscode.ConfigurationScope): Record<string, unknown> {
  const raw = vscode.workspace.getConfiguration(SECTION, scope);
  return toServerSettings(JSON.parse(JSON.stringify(raw)) as Record<string, unknown>);
}

async function reportMissing(message: string): Promise<void> {
  output?.appendLine(message);
  const pick = await vscode.window.showErrorMessage(message, "Open Settings", "Show Output");
  if (pick === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.server`);
  } else if (pick === "Show Output") {
    output?.show();
  }
}

async function startClient(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const resolution = resolveServerCommand(launchSettings(), {
    pathVar: process.env.PATH ?? "",
    pathExt: process.env.PATHEXT,
    platform: process.platform,
    workspaceFolder: folder,
    home: os.homedir(),
  });
  if (!resolution.ok || !resolution.command) {
    await reportMissing(resolution.error ?? `iam-lsp could not be started. ${INSTALL_HINT}`);
    return;
  }
  const { command, args, origin } = resolution.command;
  output?.appendLine(`Starting ${command} ${args.join(" ")} (from ${origin})`);
  const serverOptions: ServerOptions = { command, args, options: folder ? { cwd: folder } : undefined };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    initializationOptions: serverSettings(),
    middleware: {
      workspace: {
        // Answer the server's workspace/configuration with cleaned settings, per scope.
        configuration: (params) =>
          params.items.map((item) => {
            if (item.section !== undefined && item.section !== SECTION) {
              return null;
            }
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            return serverSettings(scope);
          }),
      },
    },
  };
  client = new LanguageClient(SECTION, "IAM Policy Language Server", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    client = undefined;
    await reportMissing(`iam-lsp failed to start (${command} ${args.join(" ")}): ${String(err)}. ${INSTALL_HINT}`);
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c && c.state !== State.Stopped) {
    await c.stop();
  }
}

async function restart(): Promise<void> {
  output?.appendLine("Restarting iam-lsp");
  await stopClient();
  await startClient();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("IAM Policy Language Server");
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("iamLsp.restartServer", restart),
    vscode.commands.registerCommand("iamLsp.showOutput", () => output?.show()),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (needsRestart((key) => e.affectsConfiguration(key))) {
        await restart();
      } else if (e.affectsConfiguration(SECTION) && client?.isRunning()) {
        // Send the cleaned section ourselves (not `synchronize`), so editor plumbing never reaches the server.
        await client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { [SECTION]: serverSettings() },
        });
      }
    }),
  );
  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
