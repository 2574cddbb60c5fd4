export { createPipeline } from "./batch-processor.js";
export type { Pipeline, PipelineOptions } from "./batch-processor.js";
export { FileSink } from "./file-sink.js";
export type { FileSinkOptions } from "./file-sink.js";
export { MemorySink } from "./memory-sink.js";
export type { SendOptions, SendResult, Sink } from "./sink.js";
