import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "yavio-mcp/otel": fileURLToPath(new URL("./src/otel/index.ts", import.meta.url)),
      "yavio-mcp/testing": fileURLToPath(new URL("./src/testing.ts", import.meta.url)),
      "yavio-mcp": fileURLToPath(new URL("./src/index.ts", import.meta.url)),
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
