export { bindingOf, INSTRUMENTED_METHODS, principalOf, ProtocolBinding, recordOf, shapeDeclares, targetOf, transportKind, WRAPPED } from "./binding.js";
export type { JsonRpcRequest, LowLevelServer, McpServerLike, RequestExtra, RequestHandler, TransportLike } from "./binding.js";
