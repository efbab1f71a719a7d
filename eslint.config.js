import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "app/generated/", "bench/results/", "coverage/", "build/", ".cache/", "wordpress-plugin/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // The engine must stay free of `any` and of imports from adapters, routes and Prisma.
    files: ["app/core/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/platforms/**", "**/routes/**", "**/api/**", "**/db/**"], message: "core/ must not depend on adapters or delivery layers" },
            { group: ["@prisma/*", "prisma"], message: "core/ must not depend on Prisma; use a port" },
          ],
        },
      ],
    },
  },
);
