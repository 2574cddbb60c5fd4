export { isV2Server, V2Binding } from "./binding.js";
export type {
  WrappedV2,
  YavioMcpServerV2,
  YavioPromptCallbackV2,
  YavioRawShapePromptCallbackV2,
  YavioRawShapeToolCallbackV2,
  YavioReadResourceCallbackV2,
  YavioReadResourceTemplateCallbackV2,
  YavioServerContext,
  YavioToolCallbackV2,
} from "./types.js";
