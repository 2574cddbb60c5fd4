export { bindingOf, ServerBinding } from "./binding.js";
export type { LowLevelServer } from "./binding.js";
export type { Wrapped, YavioExtra, YavioMcpServer, YavioPromptCallback, YavioReadResourceCallback, YavioReadResourceTemplateCallback, YavioToolCallback } from "./types.js";
