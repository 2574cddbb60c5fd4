export { V1Binding } from "./binding.js";
export type { Wrapped, YavioExtra, YavioMcpServer, YavioPromptCallback, YavioReadResourceCallback, YavioReadResourceTemplateCallback, YavioToolCallback } from "./types.js";
