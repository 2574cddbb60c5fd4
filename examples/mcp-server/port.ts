// The port of the HTTP examples (SDK 1.x and 2.x alike): `--port 8080`, `--port=8080` or PORT=8080;
// 3333 by default, 0 picks a free port.

export function portFromArgs(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  const flag = argv.findIndex((arg) => arg === "--port" || arg.startsWith("--port="));
  const raw = flag === -1 ? env.PORT : argv[flag]!.includes("=") ? argv[flag]!.slice("--port=".length) : argv[flag + 1];
  if (raw === undefined || raw === "") return 3333;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`invalid port: ${raw}`);
  return port;
}
