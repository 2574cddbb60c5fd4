import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
/** The ingest contract, kept in the repository (see contracts/NOTICE.md for its origin and license). */
export const CONTRACT_PATH = join(root, "contracts", "yavio-ingest-v1.openapi.yaml");

/** A validator for EventBatchRequest, compiled from the contract itself. */
export function loadBatchValidator(): (body: unknown) => string[] {
  const spec = parse(readFileSync(CONTRACT_PATH, "utf8")) as { components: { schemas: Record<string, unknown> } };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // The contract uses `format: date-time`; checked here without an extra dependency.
  ajv.addFormat("date-time", (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s) && !Number.isNaN(Date.parse(s)));
  ajv.addSchema({ $id: "contract", components: spec.components });
  const validate = ajv.compile({ $ref: "contract#/components/schemas/EventBatchRequest" });
  return (body) => (validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`));
}
