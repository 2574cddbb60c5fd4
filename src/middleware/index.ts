export { requestStorage, yavio } from "./context.js";
export type { ErrorSeverity, ForUserOptions, YavioContext } from "./context.js";
export type { SessionKeyExtra, WithYavioOptions } from "./options.js";
export { getYavio, liveRuntimeCount, withYavio } from "./with-yavio.js";
export type { YavioHandle, YavioStats } from "./with-yavio.js";
export type { Wrapped, YavioExtra, YavioMcpServer, YavioPromptCallback, YavioReadResourceCallback, YavioReadResourceTemplateCallback, YavioToolCallback } from "./typed-server.js";
