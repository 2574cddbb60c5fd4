export type { DeliveryOptions, ResolvedDeliveryOptions } from "./delivery-options.js";
export { DEFAULT_ENDPOINT, isLoopbackHost, resolveEndpoint } from "./endpoint.js";
export { findRcFile, RC_FILE_NAME } from "./rc-file.js";
export { resolveDeliveryOptions } from "./resolve-delivery-options.js";
export type { ResolveContext } from "./resolve-delivery-options.js";
