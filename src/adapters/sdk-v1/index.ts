export { bindingOf, principalOf, ProtocolBinding, transportKind, V1Binding } from "./binding.js";
export type { JsonRpcRequest, LowLevelServer, McpServerLike, RequestExtra, TransportLike } from "./binding.js";
export type { Wrapped, YavioExtra, YavioMcpServer, YavioPromptCallback, YavioReadResourceCallback, YavioReadResourceTemplateCallback, YavioToolCallback } from "./types.js";
